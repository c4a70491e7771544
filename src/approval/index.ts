export { approvedProposals, approverOf, type ApprovedItem, type ApprovalRequestResult } from './request';

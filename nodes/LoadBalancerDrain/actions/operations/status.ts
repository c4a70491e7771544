import type { OperationAction } from '../common';

/** Read-only: every server of the backend with its state, health, weight and sessions. */
export const status: OperationAction = {
	description: [],
	request: (_fn, _itemIndex, target) => ({ operation: 'status', backend: target.backend }),
};

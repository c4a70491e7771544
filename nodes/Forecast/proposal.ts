// The proposal builder lives in the engine so the replay simulator builds the very same proposals.
export { scaleProposal, type ProposalContext } from '../../src/forecast/proposal';

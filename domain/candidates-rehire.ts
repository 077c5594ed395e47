// Former employees: a hired candidate who left may be marked not eligible for rehire. A new application from the
// same person (the same email or phone, or a likely duplicate) is then flagged, and it cannot leave its first stage
// forward (ADVANCE, HIRE, a MOVE to a later stage) until an admin overrides the flag; rejecting and withdrawing stay
// possible. The API checks this before it sends a move to the application's workflow.
import type { PipelineDefinition } from './pipeline.js';
import { isForward } from './gates.js';
import type { StageEvent } from './stage-machine.js';

/** What the 409 names as missing while the flag holds. */
export interface RehireShortfall {
  gate: 'rehire_override';
  matchedCandidateId: string;
}

/** An application's rehire flag as the read model holds it: null when it was never flagged. */
export interface RehireFlag {
  matchedCandidateId: string;
  overriddenAt: Date | string | null;
}

/** The former employee a new application matches, if they left and are not eligible for rehire. */
export interface FormerEmployee {
  candidateId: string;
  leftAt: string | null;
  rehireEligible: boolean | null;
}

/** Whether a former employee blocks a new application: left, and not (or not yet known to be) eligible for rehire. */
export function blocksRehire(former: FormerEmployee): boolean {
  return former.leftAt !== null && former.rehireEligible !== true;
}

/** What holds a move back: a flag not overridden, on a forward move; undefined when the move may go to the workflow. */
export function rehireShortfall(
  flag: RehireFlag | null,
  pipeline: PipelineDefinition,
  move: { fromStage: string; event: StageEvent; toStage: string },
): RehireShortfall | undefined {
  if (!flag || flag.overriddenAt) return undefined;
  if (!isForward(pipeline, move.fromStage, move.event, move.toStage)) return undefined;
  return { gate: 'rehire_override', matchedCandidateId: flag.matchedCandidateId };
}

export function describeRehireShortfall(): string {
  return 'This application matches a former employee who is not eligible for rehire; an admin must override the flag before it can move forward';
}

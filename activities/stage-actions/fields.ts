// The zod fields pipeline templates share: bounded texts, durations and role references.
import { z } from 'zod';

export const text = (max: number) => z.string().min(1).max(max);
export const duration = z.string().min(1).max(40).meta({ description: 'ISO-8601 duration, e.g. PT2H or P3D' });
export const roleRef = z.strictObject({ role: text(64) });
/** Every action may wait this long after the stage is entered; leaving the stage first cancels it. */
export const delay = { delay: duration.optional() };

import { z } from 'zod';
import type { InterviewRow } from '../../db/interviews.js';
import { inZone, isValidTimeZone, type TimeRange } from '../../domain/interviews/slots.js';
import { INTERVIEW_STATUSES } from '../../workflows/interviews/contract.js';
import { NOT_BLANK } from '../route.js';

const MAX_WINDOW_DAYS = 60;
const instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 date and time with a zone offset or Z' });

export const windowSchema = z
  .strictObject({ from: instant, to: instant })
  .refine((w) => Date.parse(w.to) > Date.parse(w.from), { message: 'to must be after from', path: ['to'] })
  .refine((w) => Date.parse(w.to) - Date.parse(w.from) <= MAX_WINDOW_DAYS * 86_400_000, {
    message: `the window may span at most ${MAX_WINDOW_DAYS} days`,
    path: ['to'],
  })
  .meta({ id: 'InterviewWindow', description: `When the interview may take place (at most ${MAX_WINDOW_DAYS} days)` });

export const createInterviewSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200).meta(NOT_BLANK),
    durationMinutes: z.number().int().min(5).max(480),
    interviewerIds: z
      .array(z.uuid())
      .min(1)
      .max(10)
      .refine((ids) => new Set(ids).size === ids.length, 'interviewers are listed once each')
      .meta({ description: 'Staff of the company; the first one organises (the event is on their calendar)' }),
    window: windowSchema,
    slotCount: z.number().int().min(1).max(20).optional().meta({ description: 'How many slots to offer (default 5)' }),
    location: z.string().trim().min(1).max(500).meta(NOT_BLANK).optional(),
    video: z.boolean().optional().meta({ description: 'Add a video meeting link (Google Meet or Teams, where the organiser connected one)' }),
  })
  .meta({ id: 'CreateInterview' });

const slot = z.object({ start: z.iso.datetime(), end: z.iso.datetime() });

export const interviewSchema = z
  .object({
    id: z.uuid(),
    applicationId: z.uuid(),
    title: z.string(),
    durationMinutes: z.number(),
    interviewerIds: z.array(z.uuid()),
    window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
    location: z.string().nullable(),
    video: z.boolean(),
    stage: z.string().meta({ description: 'The application stage the interview belongs to' }),
    status: z.enum(INTERVIEW_STATUSES),
    slots: z.array(slot).meta({ description: 'The slots offered to the candidate now' }),
    deadlineAt: z.iso.datetime().nullable().meta({ description: 'When the offer expires' }),
    start: z.iso.datetime().nullable().meta({ description: 'The booked start' }),
    end: z.iso.datetime().nullable(),
    provider: z.string().nullable().meta({ description: 'The calendar holding the booked event: google, microsoft or local' }),
    videoUrl: z.string().nullable(),
    cancelReason: z.string().nullable(),
    history: z.array(z.object({ at: z.iso.datetime(), event: z.string(), detail: z.string().optional() })),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Interview' });

export const interviewListSchema = z.object({ items: z.array(interviewSchema) }).meta({ id: 'InterviewList' });

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function toInterviewView(row: InterviewRow): z.output<typeof interviewSchema> {
  return {
    id: row.id,
    applicationId: row.application_id,
    title: row.title,
    durationMinutes: Number(row.duration_minutes),
    interviewerIds: row.interviewer_ids,
    window: { from: iso(row.window_from)!, to: iso(row.window_to)! },
    location: row.location,
    video: row.video,
    stage: row.stage_key,
    status: row.status as z.output<typeof interviewSchema>['status'],
    slots: row.slots,
    deadlineAt: iso(row.deadline_at),
    start: iso(row.booked_start),
    end: iso(row.booked_end),
    provider: row.provider,
    videoUrl: row.video_url,
    cancelReason: row.cancel_reason,
    history: row.history,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

const timeZone = z
  .string()
  .max(64)
  .refine(isValidTimeZone, 'not an IANA time zone (e.g. Europe/Berlin)')
  .meta({ description: 'Also show each slot in this IANA time zone' });

export const candidateQuery = z.strictObject({
  token: z.string().min(1).max(2000).optional().meta({ description: "The signed link from the candidate's email; or sign in as the candidate" }),
});
export const slotsQuery = candidateQuery.extend({ timeZone: timeZone.optional() });

const slotView = slot
  .extend({ timeZone: z.string().optional(), localStart: z.string().optional(), localEnd: z.string().optional() })
  .meta({ id: 'InterviewSlot', description: 'start and end in UTC; with timeZone also as local times with their offset' });
export const slotListSchema = z.object({ items: z.array(slotView) }).meta({ id: 'InterviewSlotList' });

export function toSlotViews(slots: TimeRange[], zone: string | undefined) {
  return slots.map((s) => {
    const utc = { start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() };
    if (!zone) return utc;
    const local = inZone(utc, zone);
    return { ...utc, timeZone: zone, localStart: local.start, localEnd: local.end };
  });
}

export const confirmSchema = z.strictObject({ start: instant.meta({ description: 'The start of one of the offered slots' }) }).meta({ id: 'ConfirmInterview' });
export const rescheduleSchema = z.strictObject({ window: windowSchema.optional() }).meta({ id: 'RescheduleInterview' });
export const cancelSchema = z.strictObject({ reason: z.string().trim().min(1).max(2000).meta(NOT_BLANK) }).meta({ id: 'CancelInterview' });

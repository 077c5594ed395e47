import { IANAZone } from 'luxon';
import { z } from 'zod';
import { WEEKDAYS } from '../../activities/calendars/provider.js';

const providerName = z.enum(['google', 'microsoft']);

export const connectCalendarSchema = z.strictObject({ provider: providerName }).meta({ id: 'CalendarConnect' });

export const authorizationSchema = z
  .object({
    authorizationUrl: z.url().meta({ description: "The provider's consent page: send the user's browser there" }),
    expiresAt: z.iso.datetime().meta({ description: 'The link works once, until then (10 minutes)' }),
  })
  .meta({ id: 'CalendarAuthorization' });

export const calendarStatusSchema = z
  .object({
    provider: z.enum(['google', 'microsoft', 'local']).meta({ description: "local: no account connected (the product's own calendar and working hours)" }),
    accountEmail: z.string().nullable(),
    status: z.enum(['connected', 'broken', 'none']).meta({ description: 'broken: the provider revoked access; connect again' }),
    availableProviders: z.array(providerName).meta({ description: 'Providers configured on this server' }),
    unavailableProviders: z.array(providerName).meta({ description: 'Providers not configured here: connecting one answers 422' }),
  })
  .meta({ id: 'CalendarStatus' });

export const oauthCallbackQuery = z.object({
  state: z.string().min(1).max(512),
  code: z.string().min(1).max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

export const connectedSchema = z
  .object({
    provider: providerName,
    accountEmail: z.string().nullable(),
    status: z.literal('connected'),
  })
  .meta({ id: 'CalendarConnected' });

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_HH_MM = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

const interval = z.strictObject({
  start: z.string().regex(HH_MM, 'must be HH:mm (00:00 to 23:59)'),
  end: z.string().regex(END_HH_MM, 'must be HH:mm (00:01 to 24:00)'),
});

const day = z
  .array(interval)
  .max(12)
  .superRefine((intervals, ctx) => {
    const sorted = [...intervals].sort((a, b) => a.start.localeCompare(b.start));
    for (const [i, item] of sorted.entries()) {
      if (item.end <= item.start) ctx.addIssue({ code: 'custom', message: `${item.start}-${item.end}: the end must be after the start` });
      const next = sorted[i + 1];
      if (next && next.start < item.end) ctx.addIssue({ code: 'custom', message: `${item.start}-${item.end} overlaps ${next.start}-${next.end}` });
    }
  })
  .transform((intervals) => [...intervals].sort((a, b) => a.start.localeCompare(b.start)));

export const workingHoursSchema = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((weekday) => [weekday, day.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof day>>)
  .meta({
    id: 'WorkingHours',
    description: 'Per weekday (mon..sun), local times in the time zone; a day left out is not worked',
    example: { mon: [{ start: '09:00', end: '17:00' }] },
  });

export const timeZoneSchema = z
  .string()
  .min(1)
  .max(100)
  // A zone name: Intl also takes bare offsets such as +02:00, which follow no daylight-saving rules.
  .refine((zone) => /^[A-Za-z]/.test(zone) && IANAZone.isValidZone(zone), { message: 'must be an IANA time zone name, e.g. Europe/Berlin' })
  .meta({ description: 'IANA time zone', example: 'Europe/Berlin' });

export const availabilityInputSchema = z.strictObject({ timeZone: timeZoneSchema, workingHours: workingHoursSchema }).meta({ id: 'AvailabilityInput' });

export const availabilitySchema = z
  .object({
    timeZone: z.string(),
    workingHours: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))),
  })
  .meta({ id: 'Availability' });

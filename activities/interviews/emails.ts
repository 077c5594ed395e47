// The interview's emails, each recipient's at most once per key (email_message, as every email of the product):
// the candidate's link to choose a slot, its reminder, the reminders before the interview, and, where no calendar
// provider invites the attendees itself, RFC 5545 invitations (ical-generator): METHOD:REQUEST with the interview
// id as UID and a SEQUENCE that grows with every change, METHOD:CANCEL when it is called off, as a
// `text/calendar; method=…` alternative part (what Gmail and Outlook show as an invitation) and an .ics attachment.
import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { Transporter } from 'nodemailer';
import { recordSentEmail } from '../../db/emails.js';
import { findInterviewParticipants, sentEmailKeys, type InterviewParticipants } from '../../db/interviews.js';
import { messageIdFor, type EmailFaults } from '../email/stage-email.js';
import type { InterviewEmailRequest, InvitationRequest } from './contract.js';
import { candidateLinkUrl, signCandidateLink } from './link.js';

export interface InterviewEmailDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  publicUrl: string;
  faults?: EmailFaults;
}

interface Recipient {
  /** `candidate` or the interviewer's user id: part of the message's key. */
  id: string;
  name: string;
  email: string;
}

const when = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toFormat("ccc d LLL yyyy, HH:mm 'UTC'");
const span = (start: string, end: string) => `${when(start)} – ${DateTime.fromISO(end, { zone: 'utc' }).toFormat('HH:mm')}`;

async function participants(orm: MikroORM, interviewId: string): Promise<InterviewParticipants> {
  const people = await findInterviewParticipants(orm.em, interviewId);
  if (!people) throw ApplicationFailure.nonRetryable(`interview ${interviewId} not found`, 'NotFound');
  return people;
}

function recipientsOf(people: InterviewParticipants, interviewers: boolean): Recipient[] {
  const candidate = { id: 'candidate', ...people.candidate };
  return interviewers ? [candidate, ...people.interviewers] : [candidate];
}

function content(people: InterviewParticipants, request: InterviewEmailRequest, link: string, to: Recipient): { subject: string; text: string } {
  const { interview, jobTitle, companyName } = people;
  const hello = `Hello ${to.name},\n\n`;
  const slots = interview.slots.map((s) => `  - ${span(s.start, s.end)}`).join('\n');
  switch (request.kind) {
    case 'invite':
      return {
        subject: `Choose a time for your interview: ${interview.title} (${jobTitle})`,
        text: `${hello}${companyName} would like to interview you for ${jobTitle}. Please choose one of these times:\n\n${slots}\n\nChoose here: ${link}\n\nThe times are held for you until ${interview.deadline_at ? when(new Date(interview.deadline_at).toISOString()) : 'further notice'}.\n`,
      };
    case 'invite_reminder':
      return {
        subject: `Reminder: choose a time for your interview (${jobTitle})`,
        text: `${hello}You have not chosen a time for your interview for ${jobTitle} yet. The times still open:\n\n${slots}\n\nChoose here: ${link}\n`,
      };
    case 'reminder': {
      const at = interview.booked_start ? span(new Date(interview.booked_start).toISOString(), new Date(interview.booked_end!).toISOString()) : 'soon';
      const video = interview.video_url ? `\nJoin: ${interview.video_url}\n` : '';
      const where = interview.location ? `\nWhere: ${interview.location}\n` : '';
      return {
        subject: `Reminder: ${interview.title} on ${at}`,
        text: `${hello}A reminder of the interview "${interview.title}" for ${jobTitle} on ${at}.\n${where}${video}`,
      };
    }
    case 'withdrawn':
      return {
        subject: `Interview request withdrawn: ${interview.title} (${jobTitle})`,
        text: `${hello}The interview times offered to you for ${jobTitle} are no longer available${interview.cancel_reason ? `: ${interview.cancel_reason}` : ''}.\n`,
      };
  }
}

export function invitationCalendar(people: InterviewParticipants, request: InvitationRequest, organizerFallback: string): string {
  const organizer = people.interviewers[0];
  const cancel = request.method === 'CANCEL';
  const calendar = ical({ prodId: { company: 'ATS', product: 'interviews' }, method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST });
  const attendees = [...people.interviewers, { id: 'candidate', ...people.candidate }];
  calendar.createEvent({
    id: request.interviewId,
    sequence: request.sequence,
    start: new Date(request.start),
    end: new Date(request.end),
    stamp: new Date(),
    summary: request.title,
    description: `${request.title}: ${people.candidate.name} for ${people.jobTitle} at ${people.companyName}.${request.videoUrl ? `\nJoin: ${request.videoUrl}` : ''}`,
    ...(request.location ? { location: request.location } : {}),
    ...(request.videoUrl ? { url: request.videoUrl } : {}),
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: organizer ? { name: organizer.name, email: organizer.email } : { name: 'ATS', email: organizerFallback },
    attendees: attendees.map((a) => ({
      name: a.name,
      email: a.email,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.NEEDSACTION,
      rsvp: !cancel,
    })),
  });
  return calendar.toString();
}

export function createInterviewEmailActivities(deps: InterviewEmailDeps) {
  const { orm, mailer, mailFrom, faults } = deps;
  const fromAddress = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom;

  /** Sends each recipient's message unless recorded as sent under its key; records each after sending. */
  async function sendEach(
    people: InterviewParticipants,
    recipients: Recipient[],
    keyOf: (r: Recipient) => string,
    message: (r: Recipient) => { subject: string; text: string; template: string; ics?: { method: string; content: string } },
  ): Promise<number> {
    const sent = await sentEmailKeys(orm.em, recipients.map(keyOf));
    let count = 0;
    for (const to of recipients) {
      const key = keyOf(to);
      if (sent.has(key)) continue;
      const { subject, text, template, ics } = message(to);
      const messageId = messageIdFor(key, mailFrom);
      await mailer.sendMail({
        from: mailFrom,
        to: { name: to.name, address: to.email },
        subject,
        text,
        messageId,
        headers: { 'X-ATS-Idempotency-Key': key },
        ...(ics
          ? {
              icalEvent: { method: ics.method, filename: 'invite.ics', content: ics.content },
              attachments: [{ filename: 'invite.ics', content: ics.content, contentType: `application/ics; method=${ics.method}` }],
            }
          : {}),
      });
      faults?.afterSend?.(key);
      await recordSentEmail(orm.em, {
        companyId: people.interview.company_id,
        applicationId: people.interview.application_id,
        recipient: to.email,
        template,
        subject,
        messageId,
        idempotencyKey: key,
      });
      count++;
    }
    return count;
  }

  return {
    async sendInterviewEmail(request: InterviewEmailRequest): Promise<number> {
      const people = await participants(orm, request.interviewId);
      const { interview } = people;
      const expiresAt = interview.deadline_at ? new Date(interview.deadline_at) : new Date(Date.now() + 3 * 86_400_000);
      const token = signCandidateLink(interview.link_secret, { interviewId: interview.id, candidateId: interview.candidate_id, expiresAt });
      const link = candidateLinkUrl(deps.publicUrl, interview.id, token);
      return sendEach(
        people,
        recipientsOf(people, request.interviewers === true),
        (to) => `${interview.id}:${request.key}:${to.id}`,
        (to) => ({ ...content(people, request, link, to), template: `interview.${request.kind}` }),
      );
    },

    /** The invitation (or cancellation) of one change to every attendee: the interviewers and the candidate. */
    async sendInterviewInvitations(request: InvitationRequest): Promise<number> {
      const people = await participants(orm, request.interviewId);
      const ics = invitationCalendar(people, request, fromAddress);
      const cancel = request.method === 'CANCEL';
      const at = span(request.start, request.end);
      return sendEach(
        people,
        recipientsOf(people, true),
        (to) => `${request.interviewId}:ical-${request.sequence}-${request.method.toLowerCase()}:${to.id}`,
        (to) => ({
          subject: cancel
            ? `Cancelled: ${request.title} on ${at}`
            : `${request.sequence === 0 ? 'Invitation' : 'Updated invitation'}: ${request.title} on ${at}`,
          text:
            `Hello ${to.name},\n\n` +
            (cancel
              ? `The interview "${request.title}" (${people.candidate.name}, ${people.jobTitle}) on ${at} is cancelled.\n`
              : `You are invited to the interview "${request.title}" (${people.candidate.name}, ${people.jobTitle}) on ${at}.\n` +
                (request.location ? `Where: ${request.location}\n` : '') +
                (request.videoUrl ? `Join: ${request.videoUrl}\n` : '')),
          template: cancel ? 'interview.cancel' : 'interview.request',
          ics: { method: request.method, content: ics },
        }),
      );
    },
  };
}

// The candidate's link to an interview: a JWT (HS256) naming the interview and the candidate, signed with a
// secret of that interview only and expiring with the candidate's deadline (plus a day's grace for a clock that
// is behind), so it opens exactly one interview and nothing else. The API checks it on the public slot routes.
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';

const AUDIENCE = 'interview-candidate';

/** A new interview's link secret. */
export function newLinkSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function signCandidateLink(secret: string, claims: { interviewId: string; candidateId: string; expiresAt: Date }): string {
  return jwt.sign({ candidate: claims.candidateId }, secret, {
    subject: claims.interviewId,
    audience: AUDIENCE,
    algorithm: 'HS256',
    expiresIn: Math.max(60, Math.ceil((claims.expiresAt.getTime() - Date.now()) / 1000) + 86_400),
  });
}

/** Whether the token is a valid, unexpired link to this interview for this candidate. */
export function verifyCandidateLink(secret: string, token: string, expected: { interviewId: string; candidateId: string }): boolean {
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'], audience: AUDIENCE, subject: expected.interviewId }) as { candidate?: unknown };
    return claims.candidate === expected.candidateId;
  } catch {
    return false;
  }
}

export function candidateLinkUrl(publicUrl: string, interviewId: string, token: string): string {
  return `${publicUrl}/api/interviews/${interviewId}/slots?token=${encodeURIComponent(token)}`;
}

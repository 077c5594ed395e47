// Demo data for `npm run dev`: one company with its staff, a candidate and an open job. Idempotent.
import { hash } from '@node-rs/argon2';
import type { MikroORM } from '@mikro-orm/postgresql';
import { addJob, findOldestJob } from './jobs.js';
import { addSeedTemplates } from './templates.js';
import { addCompany, addUser, findUserByEmail } from './users.js';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USERS = {
  admin: 'admin@acme.test',
  recruiter: 'recruiter@acme.test',
  hiringManager: 'manager@acme.test',
  candidate: 'candidate@example.test',
} as const;

export interface DemoData {
  companyId: string;
  jobId: string;
  created: boolean;
}

export async function seedDemo(orm: MikroORM): Promise<DemoData> {
  const em = orm.em.fork();
  const existing = await findUserByEmail(em, DEMO_USERS.admin);
  if (existing?.company) {
    const job = await findOldestJob(em, existing.company);
    return { companyId: existing.company, jobId: job?.id ?? '', created: false };
  }
  const passwordHash = await hash(DEMO_PASSWORD);
  // Everything below is written by one flush, through the modules that own the tables.
  const company = addCompany(em, 'Acme Robotics');
  const user = (email: string, name: string, role: 'admin' | 'recruiter' | 'hiring_manager' | 'candidate') =>
    addUser(em, { companyId: role === 'candidate' ? null : company.id, email, name, role, passwordHash });
  const admin = user(DEMO_USERS.admin, 'Ada Admin', 'admin');
  addSeedTemplates(em, company.id, admin.id);
  const recruiter = user(DEMO_USERS.recruiter, 'Rita Recruiter', 'recruiter');
  user(DEMO_USERS.hiringManager, 'Hank Manager', 'hiring_manager');
  user(DEMO_USERS.candidate, 'Casey Candidate', 'candidate');
  const job = addJob(em, {
    companyId: company.id,
    title: 'Robotics Software Engineer',
    description: 'Write the software that makes our robots move.',
    location: 'Berlin or remote',
    status: 'open',
    createdBy: recruiter.id,
    pipelineTemplateVersion: null,
  });
  await em.flush();
  return { companyId: company.id, jobId: job.id, created: true };
}

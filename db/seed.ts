// Demo data for `npm run dev`: one company with its staff, a candidate and an open job. Idempotent.
import { hash } from '@node-rs/argon2';
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { Company, Job, User } from './entities.js';
import { addSeedTemplates } from './pipeline-templates.js';

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
  const existing = await em.findOne(User, { email: DEMO_USERS.admin });
  if (existing?.company) {
    const job = await em.findOne(Job, { company: existing.company }, { orderBy: { createdAt: 'asc' } });
    return { companyId: existing.company, jobId: job?.id ?? '', created: false };
  }
  const passwordHash = await hash(DEMO_PASSWORD);
  const now = new Date();
  const company = em.create(Company, { id: uuidv7(), name: 'Acme Robotics', createdAt: now });
  const user = (email: string, name: string, role: 'admin' | 'recruiter' | 'hiring_manager' | 'candidate') =>
    em.create(User, { id: uuidv7(), company: role === 'candidate' ? null : company.id, email, name, role, passwordHash, createdAt: now });
  const admin = user(DEMO_USERS.admin, 'Ada Admin', 'admin');
  addSeedTemplates(em, company.id, admin.id);
  const recruiter = user(DEMO_USERS.recruiter, 'Rita Recruiter', 'recruiter');
  user(DEMO_USERS.hiringManager, 'Hank Manager', 'hiring_manager');
  user(DEMO_USERS.candidate, 'Casey Candidate', 'candidate');
  const job = em.create(Job, {
    id: uuidv7(),
    company: company.id,
    title: 'Robotics Software Engineer',
    description: 'Write the software that makes our robots move.',
    location: 'Berlin or remote',
    status: 'open',
    createdBy: recruiter.id,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  return { companyId: company.id, jobId: job.id, created: true };
}

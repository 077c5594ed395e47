// Accounts: the only writer of company and app_user. Plain CRUD through the entities, except the account check
// every authenticated request makes (one SQL read). Password hashing is the caller's (the API's auth); this
// stores the hash.
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '../domain/roles.js';
import { Company, User } from './entities.js';
import { addSeedTemplates } from './templates.js';

export interface NewUser {
  /** Null for candidates: a candidate account is global and applies to many companies. */
  companyId: string | null;
  email: string;
  passwordHash: string;
  name: string;
  role: Role;
}

/** Persisted on the caller's next flush. */
export function addCompany(em: EntityManager, name: string): Company {
  return em.create(Company, { id: uuidv7(), name, createdAt: new Date() });
}

/** Persisted on the caller's next flush. */
export function addUser(em: EntityManager, input: NewUser): User {
  const { companyId, ...fields } = input;
  return em.create(User, { id: uuidv7(), company: companyId, ...fields, createdAt: new Date() });
}

/** Flushes; false when the email is already registered (emails are unique across all accounts). */
async function flushNewAccount(em: EntityManager): Promise<boolean> {
  try {
    await em.flush();
    return true;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
}

/**
 * With `companyName`: a company, its admin and its starter templates, in one flush, so the company never exists
 * without them. Without: a candidate account. Null when the email is already registered.
 */
export async function signUp(
  em: EntityManager,
  input: { email: string; passwordHash: string; name: string; companyName?: string },
): Promise<{ user: User; company: Company | null } | null> {
  const company = input.companyName ? addCompany(em, input.companyName) : null;
  const user = addUser(em, {
    companyId: company?.id ?? null,
    email: input.email,
    passwordHash: input.passwordHash,
    name: input.name,
    role: company ? 'admin' : 'candidate',
  });
  if (company) addSeedTemplates(em, company.id, user.id);
  return (await flushNewAccount(em)) ? { user, company } : null;
}

/** A staff member of a company; null when the email is already registered. */
export async function createUser(em: EntityManager, input: NewUser): Promise<User | null> {
  const user = addUser(em, input);
  return (await flushNewAccount(em)) ? user : null;
}

/**
 * The role and company a user id has now, undefined when there is no such user: checked on every authenticated
 * request, so one indexed read without the entity layer.
 */
export async function findAccount(em: EntityManager, id: string): Promise<{ role: string; companyId: string | null } | undefined> {
  const rows = await em
    .getConnection()
    .execute<{ role: string; company_id: string | null }[]>('select role, company_id from app_user where id = ?', [id], 'all');
  const row = rows[0];
  return row ? { role: row.role, companyId: row.company_id } : undefined;
}

export async function findUserById(em: EntityManager, id: string): Promise<User | null> {
  return em.findOne(User, { id });
}

export async function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(User, { email });
}

// A small HTTP client of the API, and helpers that create the people a scenario needs through it: the tests,
// the benchmark and the history recorder drive the product with these.
import { randomBytes } from 'node:crypto';

export interface HttpResponse<T = any> {
  status: number;
  body: T;
  contentType: string;
  headers: Headers;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Api {
    return new Api(this.baseUrl, token);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    init: { raw?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined = init.raw;
    if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    return { status: res.status, body: text && contentType.includes('json') ? JSON.parse(text) : text, contentType, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
export const PASSWORD = 'correct horse battery';

export async function login(api: Api, email: string, password = PASSWORD): Promise<string> {
  const res = await api.post('/api/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

export interface Person {
  id: string;
  email: string;
  name: string;
  token: string;
  api: Api;
}

async function person(api: Api, email: string, id: string, name: string): Promise<Person> {
  const token = await login(api, email);
  return { id, email, name, token, api: api.as(token) };
}

export interface Company {
  id: string;
  name: string;
  admin: Person;
  recruiter: Person;
  hiringManager: Person;
}

/** A company signed up through the API, with the admin's recruiter and hiring manager. */
export async function createCompany(api: Api, label = unique('acme')): Promise<Company> {
  const signup = await api.post('/api/auth/signup', {
    email: `${label}-admin@example.com`,
    password: PASSWORD,
    name: `${label} Admin`,
    companyName: `${label} Inc`,
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const admin = await person(api, signup.body.user.email, signup.body.user.id, signup.body.user.name);
  const staff = async (role: 'recruiter' | 'hiring_manager') => {
    const created = await admin.api.post('/api/users', { email: `${label}-${role}@example.com`, password: PASSWORD, name: `${label} ${role}`, role });
    if (created.status !== 201) throw new Error(`create ${role} failed: ${created.status} ${JSON.stringify(created.body)}`);
    return person(api, created.body.email, created.body.id, created.body.name);
  };
  return {
    id: signup.body.company.id,
    name: signup.body.company.name,
    admin,
    recruiter: await staff('recruiter'),
    hiringManager: await staff('hiring_manager'),
  };
}

export async function createCandidate(api: Api, label = unique('cand'), name = `Candidate ${label}`): Promise<Person> {
  const signup = await api.post('/api/auth/signup', { email: `${label}@example.com`, password: PASSWORD, name });
  if (signup.status !== 201) throw new Error(`candidate signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  return person(api, signup.body.user.email, signup.body.user.id, signup.body.user.name);
}

export async function createOpenJob(recruiter: Person, title = 'Backend Engineer'): Promise<{ id: string; title: string }> {
  const res = await recruiter.api.post('/api/jobs', { title, description: 'Build the ATS', location: 'Remote', status: 'open' });
  if (res.status !== 201) throw new Error(`create job failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

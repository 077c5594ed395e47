// Live notifications for the SSE stream. The activity that stores notifications publishes them here when it
// runs in this process, and also calls pg_notify in the same statement as the insert; an API process
// LISTENs on one dedicated connection so notifications written by workers elsewhere reach its clients too.
// A notification that arrives both ways is delivered once.
import pg from 'pg';
import { loadNotification, type NotificationRow } from '../db/collaboration.js';
import type { Logger } from './logger.js';

export const NOTIFICATION_CHANNEL = 'ats_notification';

export interface FeedNotification {
  id: string;
  companyId: string;
  userId: string;
  applicationId: string | null;
  message: string;
  readAt: string | null;
  createdAt: string;
}

/** What pg_notify carries: ids only, so the payload stays far below PostgreSQL's 8,000-byte limit. */
export interface NotificationSignal {
  id: string;
  userId: string;
}

/** The part of the feed the activities need. */
export interface NotificationPublisher {
  publish(notifications: FeedNotification[]): void;
}

export interface FeedSubscriber {
  deliver(notification: FeedNotification): void;
  /** The feed is shutting down: end the stream. */
  close(): void;
}

export function rowToFeedNotification(row: NotificationRow): FeedNotification {
  return {
    id: row.id,
    companyId: row.company_id,
    userId: row.user_id,
    applicationId: row.application_id,
    message: row.message,
    readAt: row.read_at ? new Date(row.read_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const REMEMBERED_IDS = 10_000;

export class NotificationFeed implements NotificationPublisher {
  private readonly subscribers = new Map<string, Set<FeedSubscriber>>();
  /** Recently delivered ids, oldest first, so the second path to deliver one skips it. */
  private readonly delivered = new Set<string>();
  private client?: pg.Client;
  private databaseUrl?: string;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelayMs = 500;

  constructor(private readonly logger: Logger) {}

  subscribe(userId: string, subscriber: FeedSubscriber): () => void {
    let set = this.subscribers.get(userId);
    if (!set) this.subscribers.set(userId, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(userId) === set) this.subscribers.delete(userId);
    };
  }

  subscriberCount(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  publish(notifications: FeedNotification[]): void {
    for (const notification of notifications) {
      if (this.delivered.has(notification.id)) continue;
      this.remember(notification.id);
      for (const subscriber of this.subscribers.get(notification.userId) ?? []) {
        try {
          subscriber.deliver(notification);
        } catch (err) {
          this.logger.warn({ err, notificationId: notification.id }, 'notification subscriber failed');
        }
      }
    }
  }

  /** Starts listening for notifications written by other processes; resolves once LISTEN is in place. */
  async listen(databaseUrl: string): Promise<void> {
    this.databaseUrl = databaseUrl;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.close();
    this.subscribers.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private remember(id: string): void {
    this.delivered.add(id);
    if (this.delivered.size > REMEMBERED_IDS) {
      const oldest = this.delivered.values().next().value;
      if (oldest !== undefined) this.delivered.delete(oldest);
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, keepAlive: true, application_name: 'ats-notification-feed' });
    client.on('notification', (message) => {
      if (message.channel === NOTIFICATION_CHANNEL && message.payload) void this.onSignal(client, message.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`listen ${NOTIFICATION_CHANNEL}`);
    this.client = client;
    this.reconnectDelayMs = 500;
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.logger.warn({ err, retryInMs: this.reconnectDelayMs }, 'notification feed lost its PostgreSQL connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((err: unknown) => {
        this.logger.warn({ err }, 'notification feed could not reconnect');
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 30_000);
        if (!this.stopped) this.scheduleReconnect();
      });
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
  }

  /** Loads the row only when someone in this process is listening for its user and has not had it yet. */
  private async onSignal(client: pg.Client, payload: string): Promise<void> {
    let signal: NotificationSignal;
    try {
      signal = JSON.parse(payload) as NotificationSignal;
    } catch {
      return;
    }
    if (!this.subscribers.has(signal.userId) || this.delivered.has(signal.id)) return;
    try {
      const row = await loadNotification(client, signal.id);
      if (row) this.publish([rowToFeedNotification(row)]);
    } catch (err) {
      this.logger.warn({ err, notificationId: signal.id }, 'notification feed could not load a notification');
    }
  }
}

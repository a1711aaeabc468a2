import { userKeys, type Notification } from '@chitchat/contracts';
import type { Redis } from '@chitchat/platform';
import type { Job } from 'bullmq';
import type { MentionJob } from './integrations.ts';
import { INBOX_MAX } from './webhooks.ts';

/**
 * A mention's delayed check: if the mentioned user has still not read up to the message
 * (their read marker in the room is below its seq), it goes into their inbox, newest first.
 */
export function mentionProcessor(redis: Redis) {
  return async (job: Job<MentionJob>): Promise<string> => {
    const { room, seq, messageId, user, text, mentioned } = job.data;
    const read = Number((await redis.hget(userKeys.reads(mentioned), room)) ?? 0);
    if (read >= seq) return 'read in time';
    const notice: Notification = { type: 'mention', room, seq, messageId, user, text, at: Date.now() };
    await redis.multi().lpush(userKeys.inbox(mentioned), JSON.stringify(notice)).ltrim(userKeys.inbox(mentioned), 0, INBOX_MAX - 1).exec();
    await redis.spublish(userKeys.events(mentioned), JSON.stringify({ type: 'notification', notification: notice }));
    return 'to the inbox';
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charLength, isEmoji, isPrivateRoom, isValidRoom, isValidUsername, mentionsIn, textProblem, usernameKey } from './names.ts';
import { parseIngestEntry } from './stream.ts';

test('usernames: 3-32 of A-Z a-z 0-9 _ . -, unique case-insensitively', () => {
  for (const ok of ['bob', 'Alice_1', 'a.b-c', 'x'.repeat(32)]) assert.ok(isValidUsername(ok), ok);
  for (const bad of ['ab', 'x'.repeat(33), 'has space', 'émile', 'a/b', '', 42]) assert.ok(!isValidUsername(bad), String(bad));
  assert.equal(usernameKey('Alice'), usernameKey('aLICE'));
});

test('rooms: 1-64 of a-z 0-9 _ -, lower case only', () => {
  for (const ok of ['general', 'a', 'dev-ops_2', 'r'.repeat(64)]) assert.ok(isValidRoom(ok), ok);
  for (const bad of ['General', '', 'r'.repeat(65), 'a b', 'a.b', '{room}']) assert.ok(!isValidRoom(bad), bad);
});

test('text: 1-4000 characters after trimming, counted as people count them', () => {
  assert.equal(textProblem('hi'), undefined);
  assert.match(textProblem('   \n ') ?? '', /empty/);
  assert.equal(textProblem('😀'.repeat(4000)), undefined, '4000 emoji are 4000 characters, not 8000');
  assert.match(textProblem('x'.repeat(4001)) ?? '', /4001 characters/);
  assert.equal(textProblem(`  ${'x'.repeat(4000)}  `), undefined, 'surrounding blanks do not count');
  assert.equal(charLength('a😀b'), 3);
});

test('an ingest entry with a missing or bad field is rejected with the field named', () => {
  const good = { id: 'm1', room: 'general', user: 'alice', text: 'hi', at: '1700000000000' };
  assert.deepEqual(parseIngestEntry(good), good);
  assert.match(parseIngestEntry({ ...good, room: 'Bad Room' }) as string, /room/);
  const { user: _user, ...noUser } = good;
  assert.match(parseIngestEntry(noUser) as string, /user/);
});

test('mentions are @names not inside a word, each once, a sentence-ending dot dropped', () => {
  assert.deepEqual(mentionsIn('hi @bob. and @Alice, @al @BOB mail@x.com'), ['bob', 'Alice']);
  assert.deepEqual(mentionsIn(`@${'x'.repeat(33)} is too long for a name`), []);
  assert.deepEqual(mentionsIn('no one here'), []);
});

test('a reaction is exactly one emoji, modifiers and joiners included', () => {
  for (const emoji of ['👍', '👍🏽', '🇫🇷', '1️⃣', '👨‍👩‍👧', '❤️']) assert.ok(isEmoji(emoji), emoji);
  for (const text of ['a', '12', '🙂🙂', '<b>', ' 👍', '']) assert.ok(!isEmoji(text), JSON.stringify(text));
});

test('priv- and dm- rooms are private; other names are public', () => {
  assert.ok(isPrivateRoom('priv-abc') && isPrivateRoom('dm-0123'));
  assert.ok(!isPrivateRoom('general') && !isPrivateRoom('private-chat') && !isPrivateRoom('dmz'));
});

test('an edit, a delete or a reaction entry names its message; a message needs its text', () => {
  const base = { id: 'e1', room: 'r', user: 'alice', at: '1' };
  assert.equal(typeof parseIngestEntry({ ...base, kind: 'edit', target: 'm1', text: 'new' }), 'object');
  assert.match(parseIngestEntry({ ...base, kind: 'edit', text: 'new' }) as string, /target/);
  assert.match(parseIngestEntry({ ...base, kind: 'react', target: 'm1' }) as string, /emoji/);
  assert.match(parseIngestEntry({ ...base }) as string, /text/);
  assert.match(parseIngestEntry({ ...base, kind: 'shout', target: 'm1' }) as string, /kind/);
});

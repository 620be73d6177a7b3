import { matchesPattern } from '../../sandbox/event-pattern';

/** EventBridge's documented matching semantics, case by case (eb-event-patterns-content-based-filtering). */
describe('the event-pattern evaluator', () => {
  const event = {
    source: 'aws.snowball',
    detail: {
      eventName: 'GetJobUnlockCode',
      user: { type: 'AssumedRole', arn: 'arn:aws:iam::1:role/A' },
      tags: ['x', 'y'],
      resources: [{ ARN: 'k1' }, { ARN: 'k2' }],
      count: 3,
      empty: null,
    },
  };
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['exact value', { source: ['aws.snowball'] }, true],
    ['one of several values', { source: ['aws.s3', 'aws.snowball'] }, true],
    ['a different value', { source: ['aws.s3'] }, false],
    ['nested fields', { detail: { user: { type: ['AssumedRole'] } } }, true],
    ['a field the event lacks', { detail: { missing: ['x'] } }, false],
    ['exists: true', { detail: { eventName: [{ exists: true }] } }, true],
    ['exists: false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists: false on a present field', { detail: { eventName: [{ exists: false }] } }, false],
    ['exists: false under a missing object', { detail: { nothing: { here: [{ exists: false }] } } }, true],
    ['prefix', { detail: { eventName: [{ prefix: 'GetJob' }] } }, true],
    ['suffix', { detail: { eventName: [{ suffix: 'Manifest' }] } }, false],
    ['wildcard', { detail: { user: { arn: [{ wildcard: 'arn:aws:iam::*:role/*' }] } } }, true],
    ['wildcard that does not match', { detail: { user: { arn: [{ wildcard: 'arn:aws:iam::*:user/*' }] } } }, false],
    ['anything-but one value', { detail: { user: { type: [{ 'anything-but': 'IAMUser' }] } } }, true],
    ['anything-but the value itself', { detail: { user: { type: [{ 'anything-but': 'AssumedRole' }] } } }, false],
    ['anything-but a list', { detail: { user: { arn: [{ 'anything-but': ['arn:aws:iam::1:role/B', 'arn:aws:iam::1:role/A'] }] } } }, false],
    ['anything-but on a missing field never matches', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but prefix', { detail: { eventName: [{ 'anything-but': { prefix: 'Put' } }] } }, true],
    ['an array in the event matches if any element does', { detail: { tags: ['y'] } }, true],
    ['an array of objects', { detail: { resources: { ARN: ['k2'] } } }, true],
    ['an array of objects, no element matching', { detail: { resources: { ARN: ['k3'] } } }, false],
    ['numbers are exact values', { detail: { count: [3] } }, true],
    ['null matches null', { detail: { empty: [null] } }, true],
    ['$or: one branch true', { detail: { $or: [{ eventName: ['Nope'] }, { user: { type: ['AssumedRole'] } }] } }, true],
    ['$or: no branch true', { detail: { $or: [{ eventName: ['Nope'] }, { count: [4] }] } }, false],
    ['every field must match (AND)', { source: ['aws.snowball'], detail: { eventName: ['GetJobManifest'] } }, false],
  ];
  it.each(cases)('%s', (_what, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('refuses an operator it does not implement rather than guess', () => {
    expect(() => matchesPattern({ detail: { count: [{ numeric: ['>', 1] }] } }, event)).toThrow(/unsupported pattern operator numeric/);
  });
});

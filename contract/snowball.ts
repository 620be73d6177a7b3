/** Facts of AWS Snowball the broker relies on: job states, the credentials' validity, its notifications. */

/** The Snowball job state in which AWS hands out a job's manifest and unlock code. */
export const UNLOCKABLE_STATE = 'WithCustomer';

/** Job states after which a job's credentials are retired from the vaults. */
export const FINISHED_STATES = ['Complete', 'Cancelled'] as const;

/** Snowball credentials stay valid this many days after the job was created. */
export const CREDENTIAL_VALIDITY_DAYS = 360;

export function credentialsExpireAt(createdAt: Date): Date {
  return new Date(createdAt.getTime() + CREDENTIAL_VALIDITY_DAYS * 86_400_000);
}

/** Every state a Snowball job can be in (the `JobState` enum of the Snowball API). */
export const JOB_STATES = [
  'New',
  'PreparingAppliance',
  'PreparingShipment',
  'InTransitToCustomer',
  'WithCustomer',
  'InTransitToAWS',
  'WithAWSSortingFacility',
  'WithAWS',
  'InProgress',
  'Complete',
  'Cancelled',
  'Listing',
  'Pending',
] as const;

/**
 * The job id of Snowball's job-notification prose ("Your job NAME (JID…) …"): the one in
 * parentheses, so a job name that itself holds an id cannot stand in for the job's.
 */
export const JOB_ID_IN_NOTIFICATION = /\(([JM]ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/g;

import { accessDenied } from './errors';

/**
 * Defence in depth behind the API's resource policy: the caller must be a session of the one
 * operator role this function serves. `arn:…:iam::ACCOUNT:role/[path/]NAME` matches callers
 * `arn:…:sts::ACCOUNT:assumed-role/NAME/SESSION`.
 */
export function assertCallerIsRole(callerArn: string, roleArn: string): void {
  const role = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  const caller = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(callerArn);
  const same =
    role !== null &&
    caller !== null &&
    role[1] === caller[1] &&
    role[2] === caller[2] &&
    role[3] === caller[3];
  if (!same) throw accessDenied();
}

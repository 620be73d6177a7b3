import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GATEWAY_ERRORS, ROUTE_METHODS } from '../contract/api';
import { BINARY_MEDIA_TYPES } from '../contract/deployment';
import { VAULTS, OPERATOR_KINDS, type OperatorKind } from '../contract/vaults';
import type { BrokerFunction } from './broker-function';
import { readMethodResponses, vaultReadIntegration, type VaultReadTargets } from './vault-read-integrations';

export interface BrokerApiProps {
  /** The function behind each vault's routes. */
  readonly functions: Record<OperatorKind, BrokerFunction>;
  /** The one role admitted to each vault's routes. */
  readonly operators: Record<OperatorKind, IRole>;
  /** What the GET routes read, with the caller's own credentials. */
  readonly readTargets: VaultReadTargets;
  /** Steady-state requests per second for the whole stage. Default: 10. */
  readonly rateLimit?: number;
  /** Burst of requests for the whole stage. Default: 20. */
  readonly burstLimit?: number;
}

/** `execute-api:/STAGE/METHOD/PATH` patterns of one vault's routes (its job routes and its fleet route), for resource policies. */
function routeResources(kind: OperatorKind): string[] {
  return [
    ...ROUTE_METHODS.map((method) => `execute-api:/*/${method}/jobs/*/${VAULTS[kind].segment}`),
    `execute-api:/*/GET${VAULTS[kind].fleetRoute}`,
  ];
}

/** JSON access log line; `caller` is the SigV4 caller's ARN. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    caller: '$context.identity.userArn',
    callerAccount: '$context.identity.accountId',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    resource: '$context.resourcePath',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    integrationStatus: '$context.integration.status',
    latencyMs: '$context.responseLatency',
    error: '$context.error.responseType',
  }),
);

/**
 * The broker API. Default settings: a regional REST API; `AWS_IAM` (SigV4) on every method; a
 * resource policy that admits each operator role to its own vault's routes only and denies every
 * other principal; the job id required by a request validator (its pattern is checked by the
 * functions and by the read routes' mapping templates); GET of a credential served by the vault's
 * own service with the caller's credentials (policies/vault-reads.ts), POST by the vault's function; JSON access logs with the caller's ARN; execution logs at ERROR without data
 * tracing (bodies hold secrets); stage throttling; X-Ray tracing; errors in the broker's JSON shape.
 */
export class BrokerApi extends Construct {
  readonly api: RestApi;
  /** The stage's JSON access log: one line per answer, refusals included. */
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: BrokerApiProps) {
    super(scope, id);
    const accessLogs = (this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THIRTEEN_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    this.api = new RestApi(this, 'Api', {
      description: 'Snowball credential broker: brokers job manifests and unlock codes into their vaults',
      endpointTypes: [EndpointType.REGIONAL],
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      policy: this.resourcePolicy(props.operators),
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit ?? 10,
        throttlingBurstLimit: props.burstLimit ?? 20,
      },
    });
    this.addGatewayResponses();
    const validator = new RequestValidator(this, 'JobIdRequired', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const job = this.api.root.addResource('jobs').addResource('{jobId}');
    for (const kind of OPERATOR_KINDS) {
      const resource = job.addResource(VAULTS[kind].segment);
      const options = { requestParameters: { 'method.request.path.jobId': true }, requestValidator: validator };
      // POST brokers through the vault's function; GET reads the vault as the caller, no function involved.
      resource.addMethod('POST', new LambdaIntegration(props.functions[kind]), options);
      resource.addMethod('GET', vaultReadIntegration(kind, props.readTargets), { ...options, methodResponses: readMethodResponses(kind) });
    }
    for (const kind of OPERATOR_KINDS) {
      this.api.root.addResource(VAULTS[kind].fleetRoute.slice(1)).addMethod('GET', new LambdaIntegration(props.functions[kind]));
    }
    this.acknowledgeFindings(this.api.root);
  }

  private acknowledgeFindings(routes: Construct): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Every method is SigV4-authorised for two named roles and throttled; a WAF adds no control over signed callers.',
    });
    Validations.of(routes).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are IAM roles, not Cognito users: every method uses AWS_IAM (SigV4) authorisation instead.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level role API Gateway needs for execution logs; AWS maintains this managed policy for exactly that.',
    });
  }

  private resourcePolicy(operators: Record<OperatorKind, IRole>): PolicyDocument {
    const policy = new PolicyDocument();
    for (const kind of OPERATOR_KINDS) {
      const role = operators[kind];
      const resources = routeResources(kind);
      policy.addStatements(
        new PolicyStatement({ sid: `Admit${kind}Operator`, principals: [role], actions: ['execute-api:Invoke'], resources }),
        new PolicyStatement({
          sid: `Deny${kind}RoutesToOthers`,
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources,
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
        }),
      );
    }
    policy.addStatements(
      new PolicyStatement({
        sid: 'DenyAllButOperators',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': OPERATOR_KINDS.map((k) => operators[k].roleArn) } },
      }),
    );
    return policy;
  }

  /** Gives the front door's own refusals the broker's JSON error shape. */
  private addGatewayResponses(): void {
    const answers: [ResponseType, string, { code: string; message: string }][] = [
      [ResponseType.ACCESS_DENIED, '403', GATEWAY_ERRORS.accessDenied],
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, '403', GATEWAY_ERRORS.notSigned],
      [ResponseType.INVALID_SIGNATURE, '403', GATEWAY_ERRORS.invalidSignature],
      [ResponseType.EXPIRED_TOKEN, '403', GATEWAY_ERRORS.invalidSignature],
      [ResponseType.UNAUTHORIZED, '403', GATEWAY_ERRORS.invalidSignature],
      [ResponseType.BAD_REQUEST_PARAMETERS, '400', GATEWAY_ERRORS.badJobId],
      [ResponseType.THROTTLED, '429', GATEWAY_ERRORS.throttled],
      [ResponseType.REQUEST_TOO_LARGE, '413', GATEWAY_ERRORS.requestTooLarge],
      [ResponseType.DEFAULT_5XX, '500', GATEWAY_ERRORS.internal],
    ];
    for (const [type, statusCode, error] of answers) {
      this.api.addGatewayResponse(type.responseType, {
        type,
        statusCode,
        templates: { 'application/json': JSON.stringify({ error }) },
      });
    }
  }
}

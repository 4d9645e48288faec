// What posture needs to know about one product: the calls that read its backup settings into a PolicyView, and how
// to raise a failing setting with its Modify…BackupPolicy call. One file per product (rds.ts, polardb.ts,
// mongodb.ts), listed in ./registry.ts; evaluation, drift and the fix plan never branch on the product.
import type { ProductCaller } from '../../backup/engine';
import type { RuleResult } from '../evaluate';
import type { PolicyView } from '../policy';
import type { RuleSet } from '../rules';

/** One field a fix changes. Every kind is a raise by construction, and fix.ts refuses any that is not. */
export type Change =
  /** Days of retention; -1 (forever) is the most. */
  | { field: string; kind: 'days'; from: number; to: number }
  /** Days of the week: the new list holds every old day. */
  | { field: string; kind: 'weekdays'; from: string; to: string }
  /** An enumerated setting, `order` from least to most kept or most often. */
  | { field: string; kind: 'level'; from: string; to: string; order: readonly string[] }
  /** A value set where there was none (a cross-region destination when none is configured). */
  | { field: string; kind: 'set'; from: string; to: string };

export interface FixCall {
  /** The Modify action (`ModifyBackupPolicy`), sent with the operator's own credentials. */
  action: string;
  /** Everything sent: the changes, and the current values of what the API requires but the fix does not change. */
  query: Record<string, string>;
  changes: Change[];
  /** The failing rules this call brings into line. */
  rules: RuleResult['rule'][];
}

/** A failing rule no call here can fix without a decision (a region to move to, a cost), with what to do. */
export interface ManualStep {
  rule: RuleResult['rule'];
  why: string;
}

export interface FixPlan {
  calls: FixCall[];
  manual: ManualStep[];
}

export interface PlanInput {
  view: PolicyView;
  rules: RuleSet;
  failing: readonly RuleResult[];
  instanceId: string;
  /** The instance's own region (RDS's cross-region call names it). */
  region: string;
}

export interface PostureCatalog {
  /** Every action the reader calls (each granted `<ramService>:<action>` to the function that reads posture, and only those). */
  describeActions: readonly string[];
  /** Every action a fix may call: granted to no function role (the CLI uses the operator's credentials). */
  modifyActions: readonly string[];
  read(caller: ProductCaller, instanceId: string): Promise<PolicyView>;
  plan(p: PlanInput): FixPlan;
}

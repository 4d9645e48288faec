// One restore drill as the history keeps it: what was restored from what, where it got to, how long the restore
// took and what validation said. Written at claim time (`requested`) and again at every step the tracker takes;
// the temporary instance's id is written the moment the create call answers, before anything else.
import type { ReplyTo } from '../chat/reply';
import type { ProductName } from '../cloud/products/catalog';

/** requested → creating → ready → validating → releasing → released; `failed` and `release-failed` end it too. */
export type DrillPhase = 'requested' | 'creating' | 'ready' | 'validating' | 'releasing' | 'released' | 'release-failed';

export type DrillVerdict = 'passed' | 'failed' | 'timed-out';

export interface DrillRecord {
  /** The drill's key and its instance's tag value: `drill_<product>_<sourceId>_<period>`. */
  drillId: string;
  product: ProductName;
  regionId: string;
  sourceId: string;
  backupId: string;
  /** When the backup set started (its age at the drill is requestedAt minus this). */
  backupStartedAt: string;
  /** Who asked; a chat drill also says where its outcome is posted (checked against the platform's hosts when posted). */
  origin: { trigger: 'timer' | 'chat' | 'cli'; requestedBy?: string; replyTo?: ReplyTo };
  phase: DrillPhase;
  requestedAt: string;
  /** Written as soon as the create call answers (or reconciliation finds it by tag and name). */
  instanceId?: string;
  instanceName?: string;
  /** RDS: the drill tag was put on the instance after CloneDBInstance answered (TagResources). */
  tagged?: boolean;
  /** The latest moment the instance may live; released then whatever validation is doing. */
  releaseBy: string;
  readyAt?: string;
  /** readyAt − requestedAt. */
  recoveryMs?: number;
  validationStartedAt?: string;
  verdict?: DrillVerdict;
  verdictMessage?: string;
  /** The release call was accepted; released once the cloud no longer shows the instance. */
  releaseRequestedAt?: string;
  /** Release calls that failed so far (release-failed at DRILL_RELEASE_ATTEMPTS). */
  releaseFailures?: number;
  releasedAt?: string;
  /** releasedAt − the create call's answer. */
  lifetimeMs?: number;
  /** Why the drill ended without a passing verdict, or why release failed (with the command to release by hand). */
  error?: { code: string; message: string };
  updatedAt: string;
}

/** Where drills are kept (the shared store). */
export interface DrillLog {
  put(record: DrillRecord): Promise<void>;
  get(drillId: string): Promise<DrillRecord | undefined>;
  /** Drills not yet ended (phase neither released nor release-failed nor ended-with-error-and-released). */
  open(): Promise<DrillRecord[]>;
  /** The newest drill of one source database. */
  latestFor(product: ProductName, sourceId: string): Promise<DrillRecord | undefined>;
  /** Every drill of the last `sinceMs`, newest first (report, dashboard). */
  recent(sinceMs: number): Promise<DrillRecord[]>;
}

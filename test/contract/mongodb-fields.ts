// ApsaraDB for MongoDB (API 2015-12-01): the request and response fields of every action the catalogs call, drawn from the API's generated
// models in Alibaba Cloud's SDK sources (no current model is published on npm). Source of every field of an action:
// its two model files, gh:aliyun/alibabacloud-typescript-sdk@47db0ea30:dds-20151201/src/models/<Action>Request.ts and
// <Action>ResponseBody.ts (the file each action's `source` names); each file states the field's wire name (names()),
// its type (types()) and, in @remarks, its meaning and valid values. Enumerated values the catalogs rely on are in
// `enums`, each cited to the field's @remarks. Regenerate from those files, never edit a field by hand.
import type { Tree } from './model';

export const commit = '47db0ea30ad7069e7825d7dbdcfaaae5911fdf0c';

export const fields: Record<string, { source: string; request: Tree; response: Tree }> = {
  CreateBackup: {
    source: 'dds-20151201/src/models/CreateBackupRequest.ts + CreateBackupResponseBody.ts',
    request: {"BackupMethod":"string","BackupRetentionPeriod":"number","DBInstanceId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"BackupId":"string","BackupJobId":"string","RequestId":"string"},
  },
  DescribeBackupTasks: {
    source: 'dds-20151201/src/models/DescribeBackupTasksRequest.ts + DescribeBackupTasksResponseBody.ts',
    request: {"BackupJobId":"string","DBInstanceId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number","SecurityToken":"string"},
    response: {"BackupJobs":{"items":{"BackupSetStatus":"string","BackupStartTime":"string","BackupjobId":"string","JobMode":"string","Progress":"string"}},"RequestId":"string"},
  },
  DescribeBackups: {
    source: 'dds-20151201/src/models/DescribeBackupsRequest.ts + DescribeBackupsResponseBody.ts',
    request: {"BackupId":"string","BackupJobId":"string","DBInstanceId":"string","DestRegion":"string","EndTime":"string","NodeId":"string","OwnerAccount":"string","OwnerId":"number","PageNumber":"number","PageSize":"number","ResourceGroupId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number","SrcRegion":"string","StartTime":"string"},
    response: {"Backups":{"Backup":{"items":{"BackupDBNames":"string","BackupDownloadURL":"string","BackupEndTime":"string","BackupExpireTime":"string","BackupId":"string","BackupIntranetDownloadURL":"string","BackupJobId":"string","BackupMethod":"string","BackupMode":"string","BackupName":"string","BackupScale":"string","BackupSize":"number","BackupStartTime":"string","BackupStatus":"string","BackupType":"string","EngineVersion":"string","IsAvail":"boolean"}}},"PageNumber":"number","PageSize":"number","RequestId":"string","TotalCount":"number"},
  },
  DeleteBackup: {
    source: 'dds-20151201/src/models/DeleteBackupRequest.ts + DeleteBackupResponseBody.ts',
    request: {"BackupId":"string","DBInstanceId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"RequestId":"string"},
  },
  DescribeDBInstances: {
    source: 'dds-20151201/src/models/DescribeDbinstancesRequest.ts + DescribeDbinstancesResponseBody.ts',
    request: {"ChargeType":"string","ConnectionDomain":"string","DBInstanceClass":"string","DBInstanceDescription":"string","DBInstanceId":"string","DBInstanceStatus":"string","DBInstanceType":"string","DBNodeType":"string","Engine":"string","EngineVersion":"string","ExpireTime":"string","Expired":"string","NetworkType":"string","OwnerAccount":"string","OwnerId":"number","PageNumber":"number","PageSize":"number","RegionId":"string","ReplicationFactor":"string","ResourceGroupId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number","Tag":{"items":{"Key":"string","Value":"string"}},"VSwitchId":"string","VpcId":"string","ZoneId":"string"},
    response: {"DBInstances":{"DBInstance":{"items":{"BackupRetentionPolicy":"number","CapacityUnit":"string","ChargeType":"string","CreationTime":"string","DBInstanceClass":"string","DBInstanceDescription":"string","DBInstanceId":"string","DBInstanceStatus":"string","DBInstanceStorage":"number","DBInstanceType":"string","DestroyTime":"string","Engine":"string","EngineVersion":"string","ExpireTime":"string","HiddenZoneId":"string","KindCode":"string","LastDowngradeTime":"string","LockMode":"string","MongosList":{"MongosAttribute":{"items":{"NodeClass":"string","NodeDescription":"string","NodeId":"string"}}},"NetworkType":"string","RegionId":"string","ReleaseTime":"string","ReplicationFactor":"string","ResourceGroupId":"string","SecondaryZoneId":"string","ShardList":{"ShardAttribute":{"items":{"NodeClass":"string","NodeDescription":"string","NodeId":"string","NodeStorage":"number","ReadonlyReplicas":"number"}}},"StorageType":"string","Tags":{"Tag":{"items":{"Key":"string","Value":"string"}}},"VpcAuthMode":"string","ZoneId":"string"}}},"PageNumber":"number","PageSize":"number","RequestId":"string","TotalCount":"number"},
  },
  DescribeDBInstanceAttribute: {
    source: 'dds-20151201/src/models/DescribeDbinstanceAttributeRequest.ts + DescribeDbinstanceAttributeResponseBody.ts',
    request: {"DBInstanceId":"string","Engine":"string","IsDelete":"boolean","OwnerAccount":"string","OwnerId":"number","ResourceGroupId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number","SecurityToken":"string"},
    response: {"DBInstances":{"DBInstance":{"items":{"AIGatewayEnabled":"boolean","BurstingEnabled":"boolean","CapacityUnit":"string","ChargeType":"string","ColdDataEnabled":"boolean","ConfigserverList":{"ConfigserverAttribute":{"items":{"ConnectString":"string","CurrentKernelVersion":"string","LockMode":"string","MaxConnections":"number","MaxIOPS":"number","NodeClass":"string","NodeDescription":"string","NodeId":"string","NodeStorage":"number","Port":"number","Status":"string"}}},"CreationTime":"string","CurrentKernelVersion":"string","DBInstanceClass":"string","DBInstanceDescription":"string","DBInstanceId":"string","DBInstanceOrderStatus":"string","DBInstanceReleaseProtection":"boolean","DBInstanceStatus":"string","DBInstanceStorage":"number","DBInstanceType":"string","DestroyTime":"string","DisasterRecoveryInfo":"string","Encrypted":"boolean","EncryptionKey":"string","Engine":"string","EngineVersion":"string","ExpireTime":"string","HiddenZoneId":"string","KindCode":"string","LastDowngradeTime":"string","LockMode":"string","MaintainEndTime":"string","MaintainStartTime":"string","MaxConnections":"number","MaxIOPS":"number","MaxMBPS":"number","MongosList":{"MongosAttribute":{"items":{"ConnectSting":"string","ConnectString":"string","CurrentKernelVersion":"string","LockMode":"string","MaxConnections":"number","MaxIOPS":"number","NodeClass":"string","NodeDescription":"string","NodeId":"string","Port":"number","Status":"string","VPCId":"string","VSwitchId":"string","VpcCloudInstanceId":"string"}}},"NetworkType":"string","ProtocolType":"string","ProvisionedIops":"number","ReadonlyReplicas":"string","RegionId":"string","ReplacateId":"string","ReplicaSetName":"string","ReplicaSets":{"ReplicaSet":{"items":{"ConnectionDomain":"string","ConnectionPort":"string","NetworkType":"string","ReplicaSetRole":"string","VPCCloudInstanceId":"string","VPCId":"string","VSwitchId":"string"}}},"ReplicationFactor":"string","ResourceGroupId":"string","SearchNodeClass":"string","SearchNodeCount":"number","SearchNodeStorage":"number","SecondaryZoneId":"string","ShardList":{"ShardAttribute":{"items":{"ConnectString":"string","CurrentKernelVersion":"string","LockMode":"string","MaxConnections":"number","MaxDiskMbps":"string","MaxIOPS":"number","NodeClass":"string","NodeDescription":"string","NodeId":"string","NodeStorage":"number","Port":"number","ReadonlyReplicas":"number","ReplicaSetName":"string","Status":"string"}}},"ShardSearchNodes":{"ShardSearchNodes":{"items":{"NodeId":"string","SearchNodeClass":"string","SearchNodeCount":"string","SearchNodeId":"string","SearchNodeStorage":"string"}}},"StorageEngine":"string","StorageType":"string","SyncPercent":"string","Tags":{"Tag":{"items":{"Key":"string","Value":"string"}}},"UseClusterBackup":"boolean","VPCCloudInstanceIds":"string","VPCId":"string","VSwitchId":"string","VpcAuthMode":"string","ZoneId":"string"}}},"RequestId":"string"},
  },
  CreateDBInstance: {
    source: 'dds-20151201/src/models/CreateDbinstanceRequest.ts + CreateDbinstanceResponseBody.ts',
    request: {"AccountPassword":"string","AutoRenew":"string","BackupId":"string","BusinessInfo":"string","ChargeType":"string","ClientToken":"string","ClusterId":"string","CouponNo":"string","DBInstanceClass":"string","DBInstanceDescription":"string","DBInstanceStorage":"number","DatabaseNames":"string","Encrypted":"boolean","EncryptionKey":"string","Engine":"string","EngineVersion":"string","GlobalSecurityGroupIds":"string","HiddenZoneId":"string","NetworkType":"string","OwnerAccount":"string","OwnerId":"number","Period":"number","ProvisionedIops":"number","ReadonlyReplicas":"string","RegionId":"string","ReplicationFactor":"string","ResourceGroupId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number","RestoreTime":"string","RestoreType":"string","SecondaryZoneId":"string","SecurityIPList":"string","SrcDBInstanceId":"string","SrcRegion":"string","StorageEngine":"string","StorageType":"string","Tag":{"items":{"Key":"string","Value":"string"}},"VSwitchId":"string","VpcId":"string","ZoneId":"string"},
    response: {"DBInstanceId":"string","OrderId":"string","RequestId":"string"},
  },
  DeleteDBInstance: {
    source: 'dds-20151201/src/models/DeleteDbinstanceRequest.ts + DeleteDbinstanceResponseBody.ts',
    request: {"ClientToken":"string","DBInstanceId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"RequestId":"string"},
  },
  DescribeBackupPolicy: {
    source: 'dds-20151201/src/models/DescribeBackupPolicyRequest.ts + DescribeBackupPolicyResponseBody.ts',
    request: {"DBInstanceId":"string","InstanceType":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number","SecurityToken":"string","SrcRegion":"string"},
    response: {"BackupInterval":"number","BackupRetentionPeriod":"string","BackupRetentionPolicyOnClusterDeletion":"number","CrossBackupPeriod":"string","CrossLogRetentionType":"string","CrossLogRetentionValue":"number","CrossRetentionType":"string","CrossRetentionValue":"number","DestRegion":"string","EnableBackupLog":"number","EnableCrossLogBackup":"number","HighFrequencyBackupRetention":"string","LogBackupRetentionPeriod":"number","PreferredBackupPeriod":"string","PreferredBackupTime":"string","PreferredNextBackupTime":"string","PreserveOneEachHour":"boolean","RequestId":"string","SnapshotBackupType":"string","SrcRegion":"string"},
  },
  ModifyBackupPolicy: {
    source: 'dds-20151201/src/models/ModifyBackupPolicyRequest.ts + ModifyBackupPolicyResponseBody.ts',
    request: {"BackupInterval":"string","BackupRetentionPeriod":"number","BackupRetentionPolicyOnClusterDeletion":"number","CrossBackupPeriod":"string","CrossBackupType":"string","CrossLogRetentionType":"string","CrossLogRetentionValue":"number","CrossRetentionType":"string","CrossRetentionValue":"number","DBInstanceId":"string","DestRegion":"string","EnableBackupLog":"number","EnableCrossLogBackup":"number","HighFrequencyBackupRetention":"number","InstanceType":"string","LogBackupRetentionPeriod":"number","OwnerAccount":"string","OwnerId":"number","PreferredBackupPeriod":"string","PreferredBackupTime":"string","PreserveOneEachHour":"boolean","ResourceOwnerAccount":"string","ResourceOwnerId":"number","SnapshotBackupType":"string","SrcRegion":"string"},
    response: {"RequestId":"string"},
  },
};

/** Valid values the catalogs rely on, from the field's @remarks in the model file named. */
export const enums: Record<string, { values: readonly string[]; source: string }> = {
  // "sharding: sharded cluster instance. replicate: replica set or standalone instance. This is the default value. serverless"
  'DescribeDBInstances request DBInstanceType': { values: ['sharding', 'replicate', 'serverless'], source: 'dds-20151201/src/models/DescribeDbinstancesRequest.ts, DBInstanceType @remarks' },
  'DescribeBackupTasks response BackupJobs[].BackupSetStatus': { values: ['Scheduled', 'Checking', 'Backuping', 'Finished'], source: 'dds-20151201/src/models/DescribeBackupTasksResponseBody.ts, backupSetStatus @remarks' },
};

// PolarDB (API 2017-08-01): the request and response fields of every action the catalogs call, drawn from the API's generated
// models in Alibaba Cloud's SDK sources (no current model is published on npm). Source of every field of an action:
// its two model files, gh:aliyun/alibabacloud-typescript-sdk@103beb7ce:polardb-20170801/src/models/<Action>Request.ts and
// <Action>ResponseBody.ts (the file each action's `source` names); each file states the field's wire name (names()),
// its type (types()) and, in @remarks, its meaning and valid values. Enumerated values the catalogs rely on are in
// `enums`, each cited to the field's @remarks. Regenerate from those files, never edit a field by hand.
import type { Tree } from './model';

export const commit = '103beb7ce0d220d9a6262f36a50df50ef84a2090';

export const fields: Record<string, { source: string; request: Tree; response: Tree }> = {
  CreateBackup: {
    source: 'polardb-20170801/src/models/CreateBackupRequest.ts + CreateBackupResponseBody.ts',
    request: {"ClientToken":"string","Comment":"string","DBClusterId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"BackupJobId":"string","RequestId":"string"},
  },
  DescribeBackupTasks: {
    source: 'polardb-20170801/src/models/DescribeBackupTasksRequest.ts + DescribeBackupTasksResponseBody.ts',
    request: {"BackupJobId":"string","BackupMode":"string","DBClusterId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"Items":{"BackupJob":{"items":{"BackupJobId":"string","BackupProgressStatus":"string","JobMode":"string","Process":"string","StartTime":"string","TaskAction":"string"}}},"RequestId":"string"},
  },
  DescribeBackups: {
    source: 'polardb-20170801/src/models/DescribeBackupsRequest.ts + DescribeBackupsResponseBody.ts',
    request: {"BackupId":"string","BackupMode":"string","BackupRegion":"string","BackupStatus":"string","DBClusterId":"string","EndTime":"string","OwnerAccount":"string","OwnerId":"number","PageNumber":"number","PageSize":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number","StartTime":"string"},
    response: {"Items":{"Backup":{"items":{"BackupEndTime":"string","BackupId":"string","BackupMethod":"string","BackupMode":"string","BackupSetSize":"string","BackupStartTime":"string","BackupStatus":"string","BackupType":"string","BackupsLevel":"string","Comment":"string","ConsistentTime":"string","DBClusterId":"string","ExpectExpireTime":"string","ExpectExpireType":"string","IsAvail":"string","TableRestoreMetaStatus":"string"}}},"PageNumber":"string","PageRecordCount":"string","RequestId":"string","TotalLevel2BackupSize":"string","TotalRecordCount":"string"},
  },
  DeleteBackup: {
    source: 'polardb-20170801/src/models/DeleteBackupRequest.ts + DeleteBackupResponseBody.ts',
    request: {"BackupId":"string","DBClusterId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"RequestId":"string"},
  },
  DescribeDBClusters: {
    source: 'polardb-20170801/src/models/DescribeDbclustersRequest.ts + DescribeDbclustersResponseBody.ts',
    request: {"ConnectionString":"string","DBClusterDescription":"string","DBClusterIds":"string","DBClusterStatus":"string","DBNodeIds":"string","DBType":"string","DBVersion":"string","DescribeType":"string","Expired":"boolean","OwnerAccount":"string","OwnerId":"number","PageNumber":"number","PageSize":"number","PayType":"string","RecentCreationInterval":"number","RecentExpirationInterval":"number","RegionId":"string","ResourceGroupId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number","Tag":{"items":{"Key":"string","Value":"string"}}},
    response: {"Items":{"DBCluster":{"items":{"AiType":"string","Category":"string","ConnectionResourceQuota":"number","ConnectionResourceUsed":"number","CpuCores":"string","CreateTime":"string","DBClusterDescription":"string","DBClusterId":"string","DBClusterNetworkType":"string","DBClusterStatus":"string","DBNodeClass":"string","DBNodeNumber":"number","DBNodes":{"DBNode":{"items":{"DBNodeClass":"string","DBNodeId":"string","DBNodeRole":"string","HotReplicaMode":"string","ImciSwitch":"string","RegionId":"string","Serverless":"string","ZoneId":"string"}}},"DBType":"string","DBVersion":"string","DeletionLock":"number","Engine":"string","ExpireTime":"string","Expired":"string","HotStandbyCluster":"string","LockMode":"string","MemorySize":"string","PayType":"string","RegionId":"string","RemoteMemorySize":"string","ResourceGroupId":"string","SearchStorageUsed":"number","ServerlessType":"string","StoragePayType":"string","StorageSpace":"number","StorageType":"string","StorageUsed":"number","StrictConsistency":"string","SubCategory":"string","Tags":{"Tag":{"items":{"Key":"string","Value":"string"}}},"VpcId":"string","VswitchId":"string","ZoneId":"string"}}},"PageNumber":"number","PageRecordCount":"number","RequestId":"string","TotalRecordCount":"number"},
  },
  DescribeDBClusterAttribute: {
    source: 'polardb-20170801/src/models/DescribeDbclusterAttributeRequest.ts + DescribeDbclusterAttributeResponseBody.ts',
    request: {"DBClusterId":"string","DescribeType":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"AiCreatingTime":"string","AiType":"string","Architecture":"string","AutoUpgradeMinorVersion":"string","BlktagTotal":"number","BlktagUsed":"number","Branch":{"BranchLsn":"string","BranchTime":"string","ChildBranch":{"items":{"BranchLsn":"string","BranchTime":"string","DBClusterDescription":"string","HasChild":"boolean","InsName":"string"}},"ParentInsName":"string"},"BurstingEnabled":"string","Category":"string","ColumnTable":"string","CompressStorageMode":"string","CompressStorageUsed":"number","ConnectionResourceQuota":"number","ConnectionResourceUsed":"number","CreationTime":"string","DBClusterDescription":"string","DBClusterId":"string","DBClusterNetworkType":"string","DBClusterStatus":"string","DBNodes":{"items":{"AddedCpuCores":"string","CpuCores":"string","CreationTime":"string","DBNodeCXLRemoteMemory":"string","DBNodeClass":"string","DBNodeDescription":"string","DBNodeId":"string","DBNodeRole":"string","DBNodeStatus":"string","FailoverPriority":"number","HotReplicaMode":"string","ImciSwitch":"string","MasterId":"string","MaxConnections":"number","MaxIOPS":"number","MemorySize":"string","MirrorInsName":"string","MultiMasterLocalStandby":"string","MultiMasterPrimaryNode":"string","Orca":"string","RemoteMemoryMax":"number","RemoteMemoryMin":"number","RemoteMemoryRecommended":"number","RemoteMemorySize":"string","SccMode":"string","ServerWeight":"string","ServerlessType":"string","SubCluster":"string","SubGroupDescription":"string","ZoneId":"string"}},"DBType":"string","DBVersion":"string","DBVersionStatus":"string","DataLevel1BackupChainSize":"number","DataSyncMode":"string","DeletionLock":"number","Engine":"string","ExpireTime":"string","Expired":"string","HasCompleteStandbyRes":"boolean","HotStandbyCluster":"string","ImciAutoIndex":"string","ImperceptibleSwitch":"string","InodeTotal":"number","InodeUsed":"number","IsLatestVersion":"boolean","IsProxyLatestVersion":"boolean","LockMode":"string","MaintainTime":"string","Orca":"string","PayType":"string","ProvisionedIops":"string","ProxyCpuCores":"string","ProxyServerlessType":"string","ProxyStandardCpuCores":"string","ProxyStatus":"string","ProxyType":"string","RegionId":"string","RequestId":"string","ResourceGroupId":"string","RestoreDataPoint":"string","RestoreType":"string","RowCompression":"string","SQLSize":"number","SearchClusterStatus":"string","SearchCompressStorageUsed":"number","SearchStorageUsed":"number","ServerlessType":"string","SourceDBCluster":"string","SourceRegionId":"string","StandbyHAMode":"string","StorageAutoScale":"string","StorageMax":"number","StoragePayType":"string","StorageSpace":"number","StorageType":"string","StorageUpperBound":"number","StorageUsed":"number","StrictConsistency":"string","SubCategory":"string","SupportInstantSwitchWithImci":"string","Tags":{"items":{"Key":"string","Value":"string"}},"VPCId":"string","VSwitchId":"string","ZoneIds":"string"},
  },
  CreateDBCluster: {
    source: 'polardb-20170801/src/models/CreateDbclusterRequest.ts + CreateDbclusterResponseBody.ts',
    request: {"AgenticDbClusterDescription":"string","AgenticDbClusterId":"string","AgenticDbType":"string","AllowShutDown":"string","Architecture":"string","AutoRenew":"boolean","AutoUseCoupon":"boolean","BackupRetentionPolicyOnClusterDeletion":"string","BurstingEnabled":"string","ClientToken":"string","CloneDataPoint":"string","CloudProvider":"string","ClusterNetworkType":"string","CreationCategory":"string","CreationOption":"string","DBClusterDescription":"string","DBMinorVersion":"string","DBNodeClass":"string","DBNodeNum":"number","DBType":"string","DBVersion":"string","DefaultTimeZone":"string","EnsRegionId":"string","GDNId":"string","HotStandbyCluster":"string","LoosePolarLogBin":"string","LooseXEngine":"string","LooseXEngineUseMemoryPct":"string","LowerCaseTableNames":"string","OwnerAccount":"string","OwnerId":"number","ParameterGroupId":"string","PayType":"string","Period":"string","PromotionCode":"string","ProvisionedIops":"number","ProxyClass":"string","ProxyType":"string","RegionId":"string","ResourceGroupId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number","ScaleMax":"string","ScaleMin":"string","ScaleRoNumMax":"string","ScaleRoNumMin":"string","SecurityIPList":"string","ServerlessType":"string","SourceResourceId":"string","SourceUid":"number","StandbyAZ":"string","StorageAutoScale":"string","StorageEncryption":"boolean","StorageEncryptionKey":"string","StoragePayType":"string","StorageSpace":"number","StorageType":"string","StorageUpperBound":"number","StrictConsistency":"string","TDEStatus":"boolean","Tag":{"items":{"Key":"string","Value":"string"}},"TargetMinorVersion":"string","UsedTime":"string","VPCId":"string","VSwitchId":"string","ZoneId":"string"},
    response: {"AgenticDbClusterDescription":"string","AgenticDbClusterId":"string","DBClusterId":"string","OrderId":"string","RequestId":"string","ResourceGroupId":"string"},
  },
  DescribeDBClusterEndpoints: {
    source: 'polardb-20170801/src/models/DescribeDbclusterEndpointsRequest.ts + DescribeDbclusterEndpointsResponseBody.ts',
    request: {"DBClusterId":"string","DBEndpointId":"string","DescribeType":"string","OwnerAccount":"string","OwnerId":"number","PolarFsInstanceId":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"Items":{"items":{"AddressItems":{"items":{"ConnectionString":"string","DashboardUsed":"boolean","IPAddress":"string","NetType":"string","Port":"string","PrivateZoneConnectionString":"string","VPCId":"string","VSwitchId":"string","VpcInstanceId":"string"}},"AutoAddNewNodes":"string","ConnectionString":"string","DBClusterId":"string","DBEndpointDescription":"string","DBEndpointId":"string","EndpointConfig":"string","EndpointType":"string","NetType":"string","NodeWithRoles":"string","Nodes":"string","PolarSccTimeoutAction":"string","PolarSccWaitTimeout":"string","Port":"string","Protocol":"string","ReadWriteMode":"string","SccMode":"string","ServiceName":"string","VPCId":"string"}},"RequestId":"string"},
  },
  DeleteDBCluster: {
    source: 'polardb-20170801/src/models/DeleteDbclusterRequest.ts + DeleteDbclusterResponseBody.ts',
    request: {"BackupRetentionPolicyOnClusterDeletion":"string","CloudProvider":"string","DBClusterId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"RequestId":"string"},
  },
  DescribeBackupPolicy: {
    source: 'polardb-20170801/src/models/DescribeBackupPolicyRequest.ts + DescribeBackupPolicyResponseBody.ts',
    request: {"DBClusterId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"AdvancedDataPolicies":{"AdvancedDataPolicy":{"items":{"AutoCreated":"boolean","BakType":"string","DestRegion":"string","DestType":"string","DumpAction":"string","FilterKey":"string","FilterType":"string","FilterValue":"string","OnlyPreserveOneEachDay":"boolean","OnlyPreserveOneEachHour":"boolean","PolicyId":"string","RetentionType":"string","RetentionValue":"string","SrcRegion":"string","SrcType":"string","StorageClass":"string"}}},"AdvancedPolicyOption":"string","BackupFrequency":"string","BackupPolicyLevel":"string","BackupRetentionPolicyOnClusterDeletion":"string","DataLevel1BackupFrequency":"string","DataLevel1BackupPeriod":"string","DataLevel1BackupRetentionPeriod":"string","DataLevel1BackupTime":"string","DataLevel2BackupAnotherRegionRegion":"string","DataLevel2BackupAnotherRegionRetentionPeriod":"string","DataLevel2BackupPeriod":"string","DataLevel2BackupRetentionPeriod":"string","PreferredBackupPeriod":"string","PreferredBackupTime":"string","PreferredNextBackupTime":"string","RequestId":"string"},
  },
  DescribeLogBackupPolicy: {
    source: 'polardb-20170801/src/models/DescribeLogBackupPolicyRequest.ts + DescribeLogBackupPolicyResponseBody.ts',
    request: {"DBClusterId":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"AdvancedLogPolicies":{"AdvancedLogPolicy":{"items":{"DestRegion":"string","DestType":"string","EnableLogBackup":"number","LogRetentionType":"string","LogRetentionValue":"string","PolicyId":"string","SrcRegion":"string","SrcType":"string"}}},"EnableBackupLog":"number","LogBackupAnotherRegionRegion":"string","LogBackupAnotherRegionRetentionPeriod":"string","LogBackupRetentionPeriod":"number","RequestId":"string"},
  },
  ModifyBackupPolicy: {
    source: 'polardb-20170801/src/models/ModifyBackupPolicyRequest.ts + ModifyBackupPolicyResponseBody.ts',
    request: {"AdvancedDataPolicies":{"items":{"ActionType":"string","AutoCreated":"boolean","BakType":"string","DestRegion":"string","DestType":"string","DumpAction":"string","FilterKey":"string","FilterType":"string","FilterValue":"string","OnlyPreserveOneEachDay":"boolean","OnlyPreserveOneEachHour":"boolean","PolicyId":"string","RetentionType":"string","RetentionValue":"string","SrcRegion":"string","SrcType":"string","StorageClass":"string"}},"BackupFrequency":"string","BackupPolicyLevel":"string","BackupRetentionPolicyOnClusterDeletion":"string","DBClusterId":"string","DataLevel1BackupFrequency":"string","DataLevel1BackupPeriod":"string","DataLevel1BackupRetentionPeriod":"string","DataLevel1BackupTime":"string","DataLevel2BackupAnotherRegionRegion":"string","DataLevel2BackupAnotherRegionRetentionPeriod":"string","DataLevel2BackupPeriod":"string","DataLevel2BackupRetentionPeriod":"string","OwnerAccount":"string","OwnerId":"number","PreferredBackupPeriod":"string","PreferredBackupTime":"string","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"RequestId":"string"},
  },
  ModifyLogBackupPolicy: {
    source: 'polardb-20170801/src/models/ModifyLogBackupPolicyRequest.ts + ModifyLogBackupPolicyResponseBody.ts',
    request: {"AdvancedLogPolicies":{"items":{"ActionType":"string","DestRegion":"string","DestType":"string","EnableLogBackup":"number","LogRetentionType":"string","LogRetentionValue":"string","PolicyId":"string","SrcRegion":"string","SrcType":"string"}},"DBClusterId":"string","LogBackupAnotherRegionRegion":"string","LogBackupAnotherRegionRetentionPeriod":"string","LogBackupRetentionPeriod":"string","OwnerAccount":"string","OwnerId":"number","ResourceOwnerAccount":"string","ResourceOwnerId":"number"},
    response: {"RequestId":"string"},
  },
};

/**
 * Valid values the catalogs rely on. At this commit the PolarDB backup models carry no @remarks for BackupStatus,
 * BackupMode or BackupProgressStatus: their values stay as docs/cloud-contract.md cites them from the reference.
 */
export const enums: Record<string, { values: readonly string[]; source: string }> = {};

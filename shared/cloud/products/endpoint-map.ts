// Where each product's API answers for a region, as the official SDKs decide it: the host their endpoint map lists
// for the region, else the regional rule `<product>.<region>.aliyuncs.com` (OpenApiUtil.getEndpointRules). Only the
// public regions whose host differs from the regional rule are listed; the maps' internal regions are left out.
// Sources (docs/cloud-contract.md, "Endpoints"):
//   RDS:     @alicloud/rds20140815 15.4.0, dist/client.js, _endpointMap (test/contract/endpoints.test.ts compares)
//   PolarDB: aliyun/alibabacloud-typescript-sdk polardb-20170801/src/client.ts at 103beb7c, _endpointMap
//   MongoDB: aliyun/alibabacloud-typescript-sdk dds-20151201/src/client.ts at 47db0ea3, _endpointMap
// Since RegionId goes only to the actions whose request model has one (catalog.regionIdActions), the host is what
// names the region for the rest: a wrong host is a wrong region.

const central = (host: string, regions: readonly string[]): Record<string, string> => Object.fromEntries(regions.map((r) => [r, host]));

export const endpointMaps: Record<'rds' | 'polardb' | 'mongodb', Record<string, string>> = {
  rds: {
    ...central('rds.aliyuncs.com', [
      'cn-qingdao', 'cn-beijing', 'cn-hangzhou', 'cn-shanghai', 'cn-shenzhen', 'cn-heyuan', 'cn-hongkong', 'ap-southeast-1', 'us-west-1', 'us-east-1',
      'cn-shanghai-finance-1', 'cn-shenzhen-finance-1', 'cn-north-2-gov-1', 'cn-beijing-finance-1', 'cn-beijing-gov-1', 'cn-fujian', 'cn-wuhan',
    ]),
    'cn-hangzhou-finance': 'rds-vpc.cn-hangzhou-finance.aliyuncs.com',
  },
  polardb: central('polardb.aliyuncs.com', ['cn-qingdao', 'cn-beijing', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai', 'cn-heyuan', 'cn-hangzhou-finance', 'cn-beijing-finance-1', 'cn-beijing-gov-1', 'cn-fujian', 'cn-wuhan']),
  mongodb: central('mongodb.aliyuncs.com', ['cn-beijing', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai', 'cn-heyuan', 'cn-hangzhou-finance', 'cn-beijing-gov-1', 'cn-fujian', 'cn-wuhan']),
};

/** The SDK's choice of host for `region`: its map's, else the regional rule. */
export function sdkEndpoint(product: keyof typeof endpointMaps, region: string): string {
  const productId = product === 'mongodb' ? 'mongodb' : product;
  return endpointMaps[product][region] ?? `${productId}.${region}.aliyuncs.com`;
}

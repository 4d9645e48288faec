// The host each product's calls go to, per region, against the official SDKs' own choice (issue 17 §5). RDS: the
// npm SDK's client is the oracle, for every region its map lists and for regions it does not (the regional rule).
// PolarDB and MongoDB (no current npm package): cases drawn from their SDK sources' maps (commits cited in
// shared/cloud/products/endpoint-map.ts), including the ones our old rule got wrong.
import Rds from '@alicloud/rds20140815';
import { describe, expect, it } from 'vitest';
import { catalogOf } from '../../shared/cloud/products/registry';

const sdkHost = (regionId: string) => (new Rds({ regionId, accessKeyId: 'id', accessKeySecret: 'secret' } as never) as unknown as { _endpoint: string })._endpoint;
const internal = /internal|test-|-[abcd]0\d$|nebula|inner|yushanfang|edge-1|oxs|-pop$|zhangbei$/;

describe('RDS: our host is the SDK client\'s', () => {
  const mapped = Object.keys((new Rds({ regionId: 'cn-hangzhou', accessKeyId: 'id', accessKeySecret: 'secret' } as never) as unknown as { _endpointMap: Record<string, string> })._endpointMap).filter((r) => !internal.test(r));
  it.each([...mapped, 'cn-zhangjiakou', 'cn-huhehaote', 'cn-chengdu', 'ap-northeast-1', 'ap-southeast-5', 'eu-central-1', 'me-east-1'])('%s', (region) => {
    expect(catalogOf('rds').defaultEndpoint(region)).toBe(sdkHost(region));
  });
  it('regions outside the central list get regional hosts (the old rule sent them all to rds.aliyuncs.com)', () => {
    expect(catalogOf('rds').defaultEndpoint('ap-northeast-1')).toBe('rds.ap-northeast-1.aliyuncs.com');
    expect(catalogOf('rds').defaultEndpoint('cn-hangzhou-finance')).toBe('rds-vpc.cn-hangzhou-finance.aliyuncs.com');
  });
});

describe('PolarDB and MongoDB: as their SDK sources\' maps say', () => {
  it.each([
    ['polardb', 'cn-hangzhou', 'polardb.aliyuncs.com'],
    ['polardb', 'cn-wulanchabu', 'polardb.aliyuncs.com'],
    ['polardb', 'cn-heyuan', 'polardb.aliyuncs.com'],
    // The old rule sent these two to the central host; the map names regional ones.
    ['polardb', 'cn-zhangjiakou', 'polardb.cn-zhangjiakou.aliyuncs.com'],
    ['polardb', 'cn-huhehaote', 'polardb.cn-huhehaote.aliyuncs.com'],
    ['polardb', 'ap-southeast-1', 'polardb.ap-southeast-1.aliyuncs.com'],
    ['mongodb', 'cn-hangzhou', 'mongodb.aliyuncs.com'],
    ['mongodb', 'cn-wulanchabu', 'mongodb.aliyuncs.com'],
    ['mongodb', 'cn-heyuan', 'mongodb.aliyuncs.com'],
    ['mongodb', 'cn-qingdao', 'mongodb.cn-qingdao.aliyuncs.com'],
    ['mongodb', 'cn-shenzhen', 'mongodb.cn-shenzhen.aliyuncs.com'],
    ['mongodb', 'eu-central-1', 'mongodb.eu-central-1.aliyuncs.com'],
  ] as const)('%s %s → %s', (product, region, host) => {
    expect(catalogOf(product).defaultEndpoint(region)).toBe(host);
  });
});

package dev.oidcsession.redis;

import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client-side cache on a Redis Cluster of three masters (one cache for every node). */
class ClusterClientSideCacheIT extends ClientSideCacheContract {

  @RegisterExtension static final RedisTopology redis = RedisTopology.cluster();

  @Override
  protected RedisTopology topology() {
    return redis;
  }

  @Override
  protected List<RedisProcesses.Node> dataNodes() {
    return redis.clusterNodes();
  }

  @Override
  protected boolean quietNodes() {
    return true;
  }
}

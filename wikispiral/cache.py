"""Redis cache backend that keeps one client per connection pool.

Django's RedisCacheClient builds a new redis.Redis object on every cache call; with redis-py 7
that costs more than the round trip itself on a cached page view. The client is thread-safe
and the pool is already shared, so one client per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key: object = None, *, write: bool = False) -> object:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient

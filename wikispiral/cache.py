"""Redis cache backend that keeps one client per connection pool.

Django's RedisCacheClient builds a new redis.Redis object on every cache call; with redis-py 7
that costs more than the round trip itself on a cached page view. The client is thread-safe
and the pool is already shared, so one client per pool is enough.
"""

from typing import TYPE_CHECKING, Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import ConnectionPool, Redis


class PooledClientRedisCacheClient(RedisCacheClient):
    if TYPE_CHECKING:
        # Django's private members used below, which django-stubs does not declare.
        _client: type[Redis]

        def _get_connection_pool_index(self, write: bool) -> int: ...
        def _get_connection_pool(self, write: bool) -> ConnectionPool: ...

    def __init__(self, servers: list[str], **options: Any) -> None:
        # RedisCache builds its client as client_class(servers, **options).
        super().__init__(servers, **options)
        self._clients: dict[int, Redis] = {}

    def get_client(
        self, key: str | bytes | memoryview | None = None, *, write: bool = False
    ) -> Redis:
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

"""Authentication backend that reads the logged-in user from the cache.

Every logged-in request loads its user; on a cached page view that query was the largest cost
left. The cached row is dropped whenever the user is saved (User.save), so a password change,
a deactivation or a new role takes effect on the next request, as with the database.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from wikispiral.accounts.models import User

USER_CACHE_TTL = 5 * 60


def user_cache_key(user_id: object) -> str:
    return f"accounts:user:{user_id}"


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id: object) -> User | None:
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, USER_CACHE_TTL)
        return user if user is not None and self.user_can_authenticate(user) else None

from zhifa.common.sessions import CachedDatabaseSessionStore as SessionStore

__all__ = ["SessionStore"]

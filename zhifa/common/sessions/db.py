from zhifa.common.sessions import DatabaseSessionStore as SessionStore

__all__ = ["SessionStore"]

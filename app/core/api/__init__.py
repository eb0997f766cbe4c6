from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.models import (
    Flavour,
    ImageRequest,
    ImageResult,
    InputImage,
    ResultImage,
    TaskStatus,
    Usage,
    ValidationError,
)

__all__ = [
    "ApiError",
    "CancelToken",
    "Cancelled",
    "ErrorKind",
    "Flavour",
    "ImageRequest",
    "ImageResult",
    "InputImage",
    "ResultImage",
    "TaskStatus",
    "Usage",
    "ValidationError",
]

from collections.abc import Callable
from typing import Any, TypeVar, overload

from django.http import HttpResponseBase

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

@overload
def secure_admin_login(function: _View) -> _View: ...
@overload
def secure_admin_login(function: None = None) -> Callable[[_View], _View]: ...
def __getattr__(name: str) -> Any: ...

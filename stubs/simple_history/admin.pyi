from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model

_ModelT = TypeVar("_ModelT", bound=Model)

class SimpleHistoryAdmin(admin.ModelAdmin[_ModelT]): ...

def __getattr__(name: str) -> Any: ...

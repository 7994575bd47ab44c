"""The background-task API: ``django.tasks`` on Django 6, the django-tasks backport on 5.2.

Import ``task`` from here so moving to Django 6 changes one file.
"""

from importlib.util import find_spec

if find_spec("django.tasks"):
    from django.tasks import default_task_backend, task  # type: ignore[import-not-found,no-redef]
else:
    from django_tasks import default_task_backend, task

__all__ = ["default_task_backend", "task"]

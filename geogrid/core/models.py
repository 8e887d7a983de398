"""Generations: the versioning scheme every boundary layer shares (as in mySociety MapIt).

A generation is one published state of the boundaries. A versioned row is valid from
``generation_low`` up to and including ``generation_high``; ``generation_high`` is NULL while the row
is current. Editing a boundary never overwrites it: the old row is closed at the previous generation
and a new row starts at the new one, so any past state can be shown or restored.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Generation(models.Model):
    """版本: one published state of all boundary layers."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    description = models.CharField("说明", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "版本"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"第{self.id}版 {self.description}"


class VersionedQuerySet(models.QuerySet):
    def current(self) -> "VersionedQuerySet":
        """Rows valid now."""
        return self.filter(generation_high__isnull=True)

    def at(self, generation: Generation | int) -> "VersionedQuerySet":
        """Rows valid in the given generation."""
        gen_id = generation if isinstance(generation, int) else generation.id
        return self.filter(Q(generation_low_id__lte=gen_id), Q(generation_high__isnull=True) | Q(generation_high_id__gte=gen_id))


class Versioned(models.Model):
    """Mixin for rows valid over a range of generations."""

    generation_low = models.ForeignKey(
        Generation, verbose_name="起始版本", related_name="+", on_delete=models.PROTECT
    )
    generation_high = models.ForeignKey(
        Generation, verbose_name="截止版本", related_name="+", null=True, blank=True, on_delete=models.PROTECT,
        help_text="为空表示现行有效",
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(generation_high__isnull=True) | Q(generation_high__gte=F("generation_low")),
                name="%(app_label)s_%(class)s_generation_range",
            ),
        ]

    @property
    def is_current(self) -> bool:
        return self.generation_high_id is None

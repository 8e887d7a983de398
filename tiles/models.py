"""The tile cache: rendered tiles kept in PostgreSQL beside the data they were drawn from.

Each row is one tile of one tileset for one scope (the area-code prefix of the users who see it), with the
envelope it was drawn from (the tile grown by the MVT buffer, in EPSG:4490). Database triggers on every
source table (migration 0002) delete the rows whose envelope meets a changed geometry, inside the writer's
own transaction, so no writer (import, admin, raw SQL) can leave a stale tile behind.
"""
from django.contrib.gis.db import models
from django.db.models.functions import Now


class Tile(models.Model):
    """瓦片缓存."""

    tileset = models.CharField("瓦片集", max_length=40)
    scope = models.CharField("可见范围", max_length=12, blank=True, help_text="区划代码前缀；空为全部")
    z = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    envelope = models.PolygonField("范围", srid=4490)  # GiST-indexed (spatial_index defaults to True)
    data = models.BinaryField("瓦片")
    source = models.CharField("数据源版本", max_length=64, blank=True, help_text="栅格：源文件的修改时间和大小")
    created_at = models.DateTimeField("生成时间", db_default=Now())

    class Meta:
        verbose_name = verbose_name_plural = "瓦片缓存"
        constraints = [
            models.UniqueConstraint(fields=["tileset", "scope", "z", "x", "y"], name="tile_cache_key"),
        ]

    def __str__(self) -> str:
        return f"{self.tileset}/{self.z}/{self.x}/{self.y}"


class TilesetEpoch(models.Model):
    """A counter per vector tileset, raised by the invalidation triggers.

    A tile rendered while an edit was under way must not be cached: the edit's trigger could not delete a
    row that did not exist yet. So a writer notes the epoch before rendering and caches the tile only if
    the epoch is unchanged and not locked by an unfinished edit (`tiles.services.store_tile`).
    """

    tileset = models.CharField(max_length=40, primary_key=True)
    epoch = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "瓦片集版本"

    def __str__(self) -> str:
        return f"{self.tileset} #{self.epoch}"

"""15-minute service circles (seed 004, GB 50180-2018): the walking network, coverage runs and their results.

The network tables are pgRouting-ready as they stand: `circles_networkedge` has integer `id`, `source`,
`target`, `cost` and `reverse_cost` (seconds), so
``pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost FROM circles_networkedge
WHERE network_id = 1', ...)`` works on it directly.

A run's results (one row per building, isochrone polygons, suggested sites) belong to the run: they are
computed once, read many times by the map page and the exports, and never edited.
"""
from django.conf import settings
from django.contrib.gis.db import models


class WalkingNetwork(models.Model):
    """步行路网."""

    class Source(models.TextChoices):
        ROADS = "roads", "道路图层"
        OSM = "osm", "OpenStreetMap"
        LINES = "lines", "线图层"

    name = models.CharField("名称", max_length=100)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    speed_mps = models.FloatField("平地步行速度（米/秒）")
    tobler = models.BooleanField("坡度修正（Tobler 步行函数）", default=False)
    dem_path = models.CharField("高程数据", max_length=300, blank=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    vertex_count = models.PositiveIntegerField("节点数", default=0)
    edge_count = models.PositiveIntegerField("路段数", default=0)
    length_km = models.FloatField("总长（千米）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "步行路网"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class NetworkVertex(models.Model):
    """路网节点: its id is the pgRouting vertex id."""

    network = models.ForeignKey(WalkingNetwork, verbose_name="路网", related_name="vertices", on_delete=models.CASCADE)
    elevation = models.FloatField("高程（米）", null=True, blank=True)
    geom = models.PointField("位置", srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "路网节点"


class NetworkEdge(models.Model):
    """路段: walked in both directions, `cost` along the line (source → target), `reverse_cost` against it."""

    network = models.ForeignKey(WalkingNetwork, verbose_name="路网", related_name="edges", on_delete=models.CASCADE)
    source = models.ForeignKey(NetworkVertex, verbose_name="起点", related_name="+", db_column="source",
                               on_delete=models.CASCADE)
    target = models.ForeignKey(NetworkVertex, verbose_name="终点", related_name="+", db_column="target",
                               on_delete=models.CASCADE)
    length_m = models.FloatField("长度（米）")
    cost = models.FloatField("正向步行时间（秒）")
    reverse_cost = models.FloatField("反向步行时间（秒）")
    name = models.CharField("道路名称", max_length=100, blank=True)
    kind = models.CharField("道路等级", max_length=30, blank=True)
    osm_id = models.BigIntegerField("OSM 路线 ID", null=True, blank=True)
    geom = models.LineStringField("中心线", srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "路段"


class CircleRun(models.Model):
    """服务圈计算: one coverage computation (and optionally site suggestions), with its progress."""

    class Mode(models.TextChoices):
        TIME = "time", "步行时间（5/10/15 分钟）"
        STANDARD = "standard", "步行距离（300/500/1000 米，GB 50180）"

    class Weight(models.TextChoices):
        HOUSEHOLDS = "households", "规划户数"
        RESIDENT = "resident_households", "常住户数"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    network = models.ForeignKey(WalkingNetwork, verbose_name="路网", related_name="runs", on_delete=models.CASCADE)
    area = models.ForeignKey("areas.Area", verbose_name="范围", null=True, blank=True, on_delete=models.PROTECT,
                             help_text="空为全部")
    station_kind = models.CharField("站点类型", max_length=20, blank=True, help_text="空为全部类型")
    mode = models.CharField("口径", max_length=8, choices=Mode.choices, default=Mode.TIME)
    weight = models.CharField("户数口径", max_length=20, choices=Weight.choices, default=Weight.HOUSEHOLDS)
    new_sites = models.PositiveSmallIntegerField("新增站点数（最大覆盖）", default=0)
    target_share = models.FloatField("目标覆盖率（最少站点）", null=True, blank=True, help_text="0-1")
    candidate_points = models.MultiPointField("给定候选站点", srid=4490, null=True, blank=True,
                                              help_text="空：候选为住户附近的路网节点")
    candidates = models.JSONField("给定候选（原样）", default=list, blank=True,
                                  help_text="每个候选的名称与给定坐标（label、given），顺序同上")
    candidate_crs = models.CharField("候选坐标系", max_length=40, blank=True, help_text="给定坐标的坐标系")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                             on_delete=models.SET_NULL)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前步骤", max_length=40, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    summary = models.JSONField("结果摘要", default=dict)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务圈计算"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"服务圈计算 {self.pk}（{self.get_status_display()}）"

    @property
    def bands(self) -> list[float]:
        """Band limits: seconds (time mode) or metres (standard mode), the last one is the circle."""
        return [300.0, 600.0, 900.0] if self.mode == self.Mode.TIME else [300.0, 500.0, 1000.0]

    @property
    def unit(self) -> str:
        return "s" if self.mode == self.Mode.TIME else "m"


class BuildingReach(models.Model):
    """楼栋可达性: a building's walk to its nearest station in one run."""

    run = models.ForeignKey(CircleRun, verbose_name="计算", related_name="reaches", on_delete=models.CASCADE)
    building = models.ForeignKey("buildings.Building", verbose_name="楼栋", related_name="+", on_delete=models.CASCADE)
    station = models.ForeignKey("stations.ServiceStation", verbose_name="最近站点", null=True, blank=True,
                                related_name="+", on_delete=models.SET_NULL)
    reach = models.FloatField("步行时间（秒）或距离（米）", null=True, blank=True, help_text="空：超出计算上限")
    band = models.PositiveSmallIntegerField("圈层", null=True, blank=True, help_text="1/2/3：5/10/15 分钟圈；空：圈外")
    snap_m = models.FloatField("到路网距离（米）")
    weight = models.PositiveIntegerField("户数")

    class Meta:
        verbose_name = verbose_name_plural = "楼栋可达性"
        indexes = [models.Index(fields=["run", "band"])]


class Isochrone(models.Model):
    """等时圈: the area within one band of a station."""

    run = models.ForeignKey(CircleRun, verbose_name="计算", related_name="isochrones", on_delete=models.CASCADE)
    band = models.PositiveSmallIntegerField("圈层")
    limit = models.FloatField("上限（秒或米）")
    geom = models.MultiPolygonField("范围", srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "等时圈"
        ordering = ["run", "-band"]


class SiteSuggestion(models.Model):
    """建议新站点: one chosen candidate of one method, in the order the method adds them.

    A network-vertex candidate has `vertex` and its point; a user-given one has `candidate` (its 1-based
    place in the run's list), `candidate_label` and the point as given, `snap_m` away from the network.
    """

    class Method(models.TextChoices):
        MCLP = "mclp", "最大覆盖（MCLP）"
        LSCP = "lscp", "最少站点（LSCP）"
        GREEDY = "greedy", "贪心"
        GREEDY_TARGET = "greedy_target", "贪心（达到目标）"

    run = models.ForeignKey(CircleRun, verbose_name="计算", related_name="suggestions", on_delete=models.CASCADE)
    method = models.CharField("方法", max_length=14, choices=Method.choices)
    rank = models.PositiveSmallIntegerField("序号")
    vertex = models.ForeignKey(NetworkVertex, verbose_name="路网节点", null=True, blank=True, related_name="+",
                               on_delete=models.SET_NULL)
    candidate = models.PositiveIntegerField("给定候选序号", null=True, blank=True, help_text="从 1 起；空：路网节点")
    candidate_label = models.CharField("给定候选名称", max_length=200, blank=True)
    point = models.PointField("位置", srid=4490)
    snap_m = models.FloatField("到路网距离（米）", default=0)
    gain = models.PositiveIntegerField("新增覆盖户数", help_text="按加入顺序的边际增量")
    gain_buildings = models.PositiveIntegerField("新增覆盖楼栋")

    class Meta:
        verbose_name = verbose_name_plural = "建议新站点"
        ordering = ["run", "method", "rank"]

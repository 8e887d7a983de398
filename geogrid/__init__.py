"""GeoGrid: grid-based community governance (网格化服务管理, 多网合一) on PostGIS."""

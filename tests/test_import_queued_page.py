"""/imports/new while one of the user's imports is queued or running."""
import pytest
from django.contrib.auth.models import User

from geogrid.imports.models import ImportJob


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
def test_upload_page_lists_a_queued_or_running_import(client, status):
    user = User.objects.get(username="street")
    ImportJob.objects.create(user=user, file_name="grids.geojson", target="grids", status=status)
    client.force_login(user)
    response = client.get("/imports/new")
    assert response.status_code == 200, response.content[:2000]
    assert "grids.geojson" in response.content.decode()

# Seed 000's workflow against one store, named by the STORE environment variable
# (mysql, postgres, sqlite, …): POST meeting → PATCH date_range → POST participant → GET.
import os

from locust import HttpUser, task

STORE = os.environ.get("STORE", "mysql")


class WorkflowUser(HttpUser):
    @task
    def get_and_update_and_get(self):
        created = self.client.post(f"/v1/{STORE}/meetings", name=f"post_meetings_{STORE}")
        url_code = created.json()["url_code"]
        self.client.patch(
            url=f"/v1/{STORE}/meetings/{url_code}/date_range",
            json={"start_date": "2025-01-01", "end_date": "2025-02-20"},
            name=f"patch_date_range_{STORE}",
        )
        self.client.post(
            url=f"/v1/{STORE}/participants",
            json={"name": "test_name", "meeting_url_code": url_code},
            name=f"post_participants_{STORE}",
        )
        self.client.get(url=f"/v1/{STORE}/meetings/{url_code}", name=f"get_meetings_{STORE}")

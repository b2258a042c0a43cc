# Seed 000's Locust scenario, unchanged: MySQL users and EdgeDB users run the same workflow.
# Against Meetifyr, serve /v1/mysql from MariaDB/MySQL and /v1/edgedb from PostgreSQL (the
# EdgeDB stand-in), e.g. bench/backends.sh, or:
#   meetifyr --store mysql=mysql://… --store edgedb=postgres://…
#   locust -f bench/locust/locustfile.py --host http://127.0.0.1:8000
from locust import HttpUser, task

class TortoiseUser(HttpUser):  # MySQL 사용자 시뮬레이션
    @task
    def get_and_update_and_get(self):
        # 1. 미팅 생성
        create_meeting_response = self.client.post("/v1/mysql/meetings")
        url_code = create_meeting_response.json()["url_code"]

        # 2. 날짜 범위 설정
        self.client.patch(
            url=f"/v1/mysql/meetings/{url_code}/date_range",
            json={"start_date": "2025-01-01", "end_date": "2025-02-20"},
            name="patch_date_range_mysql",
        )

        # 3. 참가자 추가
        self.client.post(
            url="/v1/mysql/participants",
            json={"name": "test_name", "meeting_url_code": url_code},
            name="post_participants_mysql",
        )

        # 4. 미팅 조회
        self.client.get(
            url=f"/v1/mysql/meetings/{url_code}",
            name="get_meetings_mysql",
        )


class EdgedbUser(HttpUser):  # EdgeDB 사용자 시뮬레이션
    @task
    def get_and_update_and_get(self):
        create_meeting_response = self.client.post("/v1/edgedb/meetings")
        url_code = create_meeting_response.json()["url_code"]

        self.client.patch(
            url=f"/v1/edgedb/meetings/{url_code}/date_range",
            json={"start_date": "2025-01-01", "end_date": "2025-02-20"},
            name="patch_date_range_edgedb",
        )

        self.client.post(
            url="/v1/edgedb/participants",
            json={"name": "test_name", "meeting_url_code": url_code},
            name="post_participants_edgedb",
        )

        self.client.get(
            url=f"/v1/edgedb/meetings/{url_code}",
            name="get_meetings_edgedb",
        )

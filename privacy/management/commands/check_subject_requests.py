from django.core.management.base import BaseCommand

from privacy.requests.services import check_subject_requests


class Command(BaseCommand):
    help = "个人信息权利请求：到期提醒、超期督办、自动关闭未核验和未补充的请求。 Run the subject-request clock."

    def handle(self, *args, **options):
        counts = check_subject_requests()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))

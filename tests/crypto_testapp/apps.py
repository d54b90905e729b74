from django.apps import AppConfig


class CryptoTestappConfig(AppConfig):
    name = "tests.crypto_testapp"
    label = "crypto_testapp"

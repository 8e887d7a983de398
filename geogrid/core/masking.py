"""Masking of personal data (phones, ID numbers) in lists and public answers."""


def mask_phone(phone: str) -> str:
    """138****5678: keep the operator prefix and the last four digits."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str) -> str:
    """张** : keep the surname only."""
    return name[:1] + "*" * (len(name) - 1)

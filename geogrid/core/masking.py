"""Masking of personal data (phones, ID numbers) in lists and public answers."""


def mask_phone(phone: str) -> str:
    """138****5678: keep the operator prefix and the last four digits."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(id_number: str) -> str:
    """5226**********1234: keep the region prefix and the last four characters."""
    value = id_number.strip()
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"

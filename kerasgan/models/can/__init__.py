from kerasgan.models.can.can import CAN

__all__ = ["CAN"]

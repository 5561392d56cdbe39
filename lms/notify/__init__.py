"""Notifications: the in-app bell and list, the events that make them, and
their delivery by e-mail and the 企业微信 / 钉钉 group robots."""

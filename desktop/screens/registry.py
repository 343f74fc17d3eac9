"""Which screens the main window offers, in sidebar order.

A screen appears only when this Hub offers its methods and the user's roles allow them (the Hub
refuses anyway). Licences and Jobs join when their Hub methods exist; Coursework will take its
place after Jobs when the curriculum methods land.
"""

from __future__ import annotations

from desktop.screens.admin import AdminScreen
from desktop.screens.base import AppContext, Screen
from desktop.screens.dashboard import DashboardScreen
from desktop.screens.jobs import JobsScreen
from desktop.screens.licences import LicencesScreen


def screen_classes() -> list[type[Screen]]:
    classes: list[type[Screen]] = [DashboardScreen, LicencesScreen, JobsScreen]
    # the place for the Coursework screen (curriculum methods): after Jobs, before Admin
    classes.append(AdminScreen)
    return classes


def available_screens(ctx: AppContext) -> list[type[Screen]]:
    return [cls for cls in screen_classes() if cls.available(ctx)]

from django.contrib import admin


class ReadOnly(admin.ModelAdmin):
    """A record the admin shows and nobody edits by hand: its services write it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

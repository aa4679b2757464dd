"""Django admin (system administrators only): read-only views of the people tables.

Changes go through the console and services (access checks, audit events); the admin is for looking things up.
"""

from django.contrib import admin

from zhifa.people.models import Domain, Officer, OfficerImport, RoleGrant, Unit, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login", "password_changed_at"]
    search_fields = ["username", "display_name"]
    exclude = ["password"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "level", "kind", "path"]
    search_fields = ["name", "code"]


@admin.register(Officer)
class OfficerAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "certificate_number", "certificate_status", "employment", "id_card_masked"]
    search_fields = ["name", "certificate_number"]
    list_select_related = ["unit"]
    exclude = ["id_card_encrypted", "id_card_index", "phone_encrypted"]  # personal data: masked copies only


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "unit", "organisation"]
    list_filter = ["role"]


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(OfficerImport)
class OfficerImportAdmin(ReadOnlyAdmin):
    list_display = ["filename", "created_by", "status", "row_count", "imported_count", "created_at"]
    exclude = ["content"]

using Tasks;

namespace PagesApp;

/// <summary>Every backend type this app can be switched to by configuration alone.</summary>
public static class KnownBackendTypes
{
    public static TasksBuilder AddKnownBackendTypes(this TasksBuilder tasks) => tasks;
}

namespace ComfyUI.Client.SideBySide;

/// <summary>Workload (a) through the SDK: the typed object_info model arrives with the Discovery area.</summary>
internal static class SdkObjectInfo
{
    public static Task RunAsync(ComfyUIClient client, int count)
    {
        _ = client;
        _ = count;
        throw new NotSupportedException("the SDK has no typed object_info yet (Discovery)");
    }
}

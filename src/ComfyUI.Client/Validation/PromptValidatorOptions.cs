namespace ComfyUI.Client;

/// <summary>Options of a <see cref="PromptValidator"/>.</summary>
public sealed class PromptValidatorOptions
{
    /// <summary>
    /// The node classes with their own validation function (which <c>/object_info</c> does not describe). Defaults to
    /// <see cref="CustomNodeValidation.Core"/>; add entries for custom nodes, for example
    /// <c>CustomValidations = [.. CustomNodeValidation.Core, new("MyLoader", ["path"], check: …)]</c>. A later entry for a class
    /// replaces an earlier one.
    /// </summary>
    public IReadOnlyList<CustomNodeValidation> CustomValidations { get; init; } = CustomNodeValidation.Core;

    /// <summary>
    /// The server's node replacements (<see cref="DiscoveryClient.GetNodeReplacementsAsync"/>): a prompt node whose class the server
    /// lacks but has a replacement for is validated as the replacement, as the server does. <see langword="null"/> uses those of
    /// ComfyUI 0.33.0.
    /// </summary>
    public IReadOnlyDictionary<string, NodeReplacement[]>? NodeReplacements { get; init; }

    /// <summary>
    /// Whether a file name that is not in the file list the server sent for a loader input (<c>LoadImage</c>'s <c>image</c>, …) is a
    /// missing file, as the server would find if the list is current (the default). Set <see langword="false"/> when files may
    /// have been uploaded since the list was read: such names are then reported in <see cref="PromptValidationResult.Notices"/>
    /// and treated as present.
    /// </summary>
    public bool TrustFileLists { get; init; } = true;
}

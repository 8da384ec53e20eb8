import { ERR } from '../errors.js';
import { parseUploadChecksum } from './checksum.js';
// checksum-trailer: "If the hash cannot be calculated at the beginning of the upload, it MAY be
// included as a trailer." A client announces trailer fields with the Trailer request header
// (RFC 9110 section 6.6.2); Tusk routes such a PATCH through verification and reads the field once
// the body has ended (Node exposes it as req.trailers).
/** Whether the request announces an Upload-Checksum trailer. */
export function announcesChecksumTrailer(req) {
    const trailer = req.headers.trailer;
    return (typeof trailer === 'string' &&
        trailer.split(',').some((name) => name.trim().toLowerCase() === 'upload-checksum'));
}
/** The checksum the client sent after the body; 400 when the announced trailer did not come. */
export function checksumFromTrailer(req) {
    const value = req.trailers['upload-checksum'];
    if (value === undefined)
        throw ERR.INVALID_CHECKSUM('the announced Upload-Checksum trailer was not sent');
    return parseUploadChecksum(value);
}
//# sourceMappingURL=trailer.js.map